#include "importer/folder_stats.h"

#include "util/varint.h"

namespace mv::importer {
namespace {

constexpr char kVersion1 = 0x01;  // still read: a catalog's listings from before version 2
constexpr char kVersion = 0x02;

// Differences modulo 2^64 (no overflow whatever the values), as a signed number.
template <typename T>
int64_t Delta(T value, T base) {
  return static_cast<int64_t>(static_cast<uint64_t>(value) - static_cast<uint64_t>(base));
}
template <typename T>
T Undelta(T base, int64_t delta) {
  return static_cast<T>(static_cast<uint64_t>(base) + static_cast<uint64_t>(delta));
}

uint64_t Zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t Unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

void PutString(std::string& out, std::string_view s) {
  PutUvarint(out, s.size());
  out += s;
}

class Reader {
 public:
  Reader(std::string_view bytes, std::string_view where) : bytes_(bytes), where_(where) {}
  bool done() const { return pos_ == bytes_.size(); }
  Status Fail(std::string_view what, size_t at) const {
    return Corruption(std::string(where_) + ": invalid stat cache listing at byte " +
                      std::to_string(at) + ": " + std::string(what));
  }
  Status Byte(char& out) {
    if (pos_ >= bytes_.size()) return Fail("truncated", pos_);
    out = bytes_[pos_++];
    return Status::Ok();
  }
  Status Uvarint(uint64_t& out) {
    const size_t start = pos_;
    if (ReadUvarint(bytes_, pos_, out) != VarintError::kNone) return Fail("bad varint", start);
    return Status::Ok();
  }
  Status String(std::string_view& out) {
    const size_t start = pos_;
    uint64_t n = 0;
    MV_RETURN_IF_ERROR(Uvarint(n));
    if (n > bytes_.size() - pos_) return Fail("truncated string", start);
    out = bytes_.substr(pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view bytes_;
  std::string_view where_;
  size_t pos_ = 0;
};

}  // namespace

std::string PackFolderListing(const WalkedFolder& folder, int64_t racy_from_ns, bool* racy) {
  std::string out;
  out.reserve(1 + folder.files.size() * 24 + folder.subdirs.size() * 8);
  out += kVersion;
  std::string_view prev_name;
  FileStat prev;
  auto put_name = [&](std::string_view name) {
    size_t shared = 0;
    while (shared < name.size() && shared < prev_name.size() && name[shared] == prev_name[shared]) {
      ++shared;
    }
    PutUvarint(out, shared);
    PutString(out, name.substr(shared));
    prev_name = name;
  };
  for (const WalkedFile& f : folder.files) {
    const FileStat& s = f.stat;
    if (s.mtime_ns >= racy_from_ns || s.ctime_ns >= racy_from_ns) {
      out += 'r';
      put_name(f.name);
      if (racy != nullptr) *racy = true;
      continue;
    }
    out += s.executable ? 'x' : 'f';
    put_name(f.name);
    PutUvarint(out, s.size);
    PutUvarint(out, Zigzag(Delta(s.mtime_ns, prev.mtime_ns)));
    PutUvarint(out, Zigzag(Delta(s.ctime_ns, s.mtime_ns)));
    PutUvarint(out, Zigzag(Delta(s.inode, prev.inode)));
    PutUvarint(out, Zigzag(Delta(s.device, prev.device)));
    prev = s;
  }
  for (const WalkedSymlink& l : folder.symlinks) {
    out += 'l';
    put_name(l.name);
    PutString(out, l.target);
  }
  for (const std::string& d : folder.subdirs) {
    out += 'd';
    put_name(d);
  }
  return out;
}

Result<std::unordered_map<std::string, FileStat>> UnpackListedFiles(std::string_view listing,
                                                                    std::string_view where) {
  std::unordered_map<std::string, FileStat> files;
  Reader r(listing, where);
  char version = 0;
  MV_RETURN_IF_ERROR(r.Byte(version));
  if (version != kVersion && version != kVersion1) {
    return r.Fail("unknown version " + std::to_string(version), 0);
  }
  const bool deltas = version == kVersion;
  std::string name;
  FileStat prev;
  while (!r.done()) {
    const size_t at = r.pos();
    char kind = 0;
    MV_RETURN_IF_ERROR(r.Byte(kind));
    uint64_t shared = 0;
    if (deltas) {
      MV_RETURN_IF_ERROR(r.Uvarint(shared));
      if (shared > name.size()) return r.Fail("a shared prefix longer than the last name", at);
    }
    std::string_view suffix;
    MV_RETURN_IF_ERROR(r.String(suffix));
    name.resize(shared);
    name += suffix;
    switch (kind) {
      case 'f':
      case 'x': {
        FileStat s;
        uint64_t mtime = 0, ctime = 0, inode = 0, device = 0;
        MV_RETURN_IF_ERROR(r.Uvarint(s.size));
        MV_RETURN_IF_ERROR(r.Uvarint(mtime));
        MV_RETURN_IF_ERROR(r.Uvarint(ctime));
        MV_RETURN_IF_ERROR(r.Uvarint(inode));
        MV_RETURN_IF_ERROR(r.Uvarint(device));
        if (deltas) {
          s.mtime_ns = Undelta(prev.mtime_ns, Unzigzag(mtime));
          s.ctime_ns = Undelta(s.mtime_ns, Unzigzag(ctime));
          s.inode = Undelta(prev.inode, Unzigzag(inode));
          s.device = Undelta(prev.device, Unzigzag(device));
        } else {
          s.mtime_ns = Unzigzag(mtime);
          s.ctime_ns = Unzigzag(ctime);
          s.inode = inode;
          s.device = device;
        }
        s.executable = kind == 'x';
        prev = s;
        if (!files.emplace(name, s).second) return r.Fail("a name twice", at);
        break;
      }
      case 'l': {
        std::string_view target;
        MV_RETURN_IF_ERROR(r.String(target));
        break;
      }
      case 'r':
      case 'd':
        break;
      default:
        return r.Fail("unknown entry kind", at);
    }
  }
  return files;
}

}  // namespace mv::importer
