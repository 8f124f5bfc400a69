#include "importer/folder_stats.h"

#include "util/varint.h"

namespace mv::importer {
namespace {

constexpr char kVersion = 0x01;

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
  out.reserve(1 + folder.files.size() * 48 + folder.subdirs.size() * 16);
  out += kVersion;
  for (const WalkedFile& f : folder.files) {
    const FileStat& s = f.stat;
    if (s.mtime_ns >= racy_from_ns || s.ctime_ns >= racy_from_ns) {
      out += 'r';
      PutString(out, f.name);
      if (racy != nullptr) *racy = true;
      continue;
    }
    out += s.executable ? 'x' : 'f';
    PutString(out, f.name);
    PutUvarint(out, s.size);
    PutUvarint(out, Zigzag(s.mtime_ns));
    PutUvarint(out, Zigzag(s.ctime_ns));
    PutUvarint(out, s.inode);
    PutUvarint(out, s.device);
  }
  for (const WalkedSymlink& l : folder.symlinks) {
    out += 'l';
    PutString(out, l.name);
    PutString(out, l.target);
  }
  for (const std::string& d : folder.subdirs) {
    out += 'd';
    PutString(out, d);
  }
  return out;
}

Result<std::unordered_map<std::string, FileStat>> UnpackListedFiles(std::string_view listing,
                                                                    std::string_view where) {
  std::unordered_map<std::string, FileStat> files;
  Reader r(listing, where);
  char version = 0;
  MV_RETURN_IF_ERROR(r.Byte(version));
  if (version != kVersion) return r.Fail("unknown version " + std::to_string(version), 0);
  while (!r.done()) {
    const size_t at = r.pos();
    char kind = 0;
    MV_RETURN_IF_ERROR(r.Byte(kind));
    std::string_view name;
    MV_RETURN_IF_ERROR(r.String(name));
    switch (kind) {
      case 'f':
      case 'x': {
        FileStat s;
        uint64_t mtime = 0, ctime = 0;
        MV_RETURN_IF_ERROR(r.Uvarint(s.size));
        MV_RETURN_IF_ERROR(r.Uvarint(mtime));
        MV_RETURN_IF_ERROR(r.Uvarint(ctime));
        MV_RETURN_IF_ERROR(r.Uvarint(s.inode));
        MV_RETURN_IF_ERROR(r.Uvarint(s.device));
        s.mtime_ns = Unzigzag(mtime);
        s.ctime_ns = Unzigzag(ctime);
        s.executable = kind == 'x';
        if (!files.emplace(std::string(name), s).second) return r.Fail("a name twice", at);
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
