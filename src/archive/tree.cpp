// The tree node encoding of docs/store-format.md ("Tree nodes"); keep the two in step.
#include "archive/tree.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <span>

#include "util/encoding.h"
#include "util/hash.h"
#include "util/varint.h"

namespace mv::archive {
namespace {

constexpr std::string_view kMagic = "MVT";
constexpr uint8_t kVersion = 1;
constexpr char kLeafKind = 'L';
constexpr char kShardKind = 'S';
constexpr char kFileType = 'f';
constexpr char kExecutableType = 'x';
constexpr char kDirectoryType = 'd';
constexpr char kSymlinkType = 'l';
constexpr int kMaxDepth = 63;  // SHA-256 has 64 nibbles: 0..63
constexpr size_t kMaxNameBytes = 255;
constexpr size_t kMaxTargetBytes = 4095;

void PutBytes(std::string& out, std::string_view bytes) {
  PutUvarint(out, bytes.size());
  out += bytes;
}

bool IsZero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::string Quoted(std::string_view s) {
  // Names in messages: at most 100 bytes, control bytes escaped.
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 100)) {
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kDigits[] = "0123456789abcdef";
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 100) out += "...";
  return out + "\"";
}

// Checks the fields an entry's type does not carry are at their defaults, so that decoding an
// encoded entry gives the same value back.
Status ValidateEntryFields(const TreeEntry& e) {
  std::string who = "entry " + Quoted(e.name);
  switch (e.type) {
    case EntryType::kFile:
      if (e.file_count != 0) return InvalidArgument(who + ": a file has no file_count");
      if (!e.target.empty()) return InvalidArgument(who + ": a file has no symlink target");
      return Status::Ok();
    case EntryType::kDirectory:
      if (e.executable) return InvalidArgument(who + ": a directory cannot be executable");
      if (!IsZero(e.sha1)) return InvalidArgument(who + ": a directory has no sha1");
      if (!e.target.empty()) return InvalidArgument(who + ": a directory has no symlink target");
      return Status::Ok();
    case EntryType::kSymlink:
      if (e.executable) return InvalidArgument(who + ": a symlink cannot be executable");
      if (e.size != 0 || e.file_count != 0) {
        return InvalidArgument(who + ": a symlink has no size or file_count");
      }
      if (!IsZero(e.hash) || !IsZero(e.sha1)) {
        return InvalidArgument(who + ": a symlink has no hash or sha1");
      }
      if (Status s = ValidateSymlinkTarget(e.target); !s.ok()) return s.WithContext(who);
      return Status::Ok();
  }
  return InvalidArgument(who + ": unknown entry type");
}

void PutEntry(std::string& out, const TreeEntry& e) {
  PutBytes(out, e.name);
  switch (e.type) {
    case EntryType::kFile:
      out += e.executable ? kExecutableType : kFileType;
      PutUvarint(out, e.size);
      out += AsBytes(e.hash);
      out += AsBytes(e.sha1);
      break;
    case EntryType::kDirectory:
      out += kDirectoryType;
      PutUvarint(out, e.size);
      PutUvarint(out, e.file_count);
      out += AsBytes(e.hash);
      break;
    case EntryType::kSymlink:
      out += kSymlinkType;
      PutBytes(out, e.target);
      break;
  }
}

std::string NodeHeader(char kind) {
  std::string out(kMagic);
  out += static_cast<char>(kVersion);
  out += kind;
  return out;
}

uint8_t NibbleOf(const Sha256& digest, int depth) {
  uint8_t byte = digest[static_cast<size_t>(depth / 2)];
  return depth % 2 == 0 ? byte >> 4 : byte & 0x0f;
}

// Builds the nodes of entries[begin, end) (sorted by name) at shard depth `depth`, appending
// them to `out` children first; returns the top node's id.
struct Builder {
  const std::vector<TreeEntry>& entries;
  const std::vector<Sha256>& name_hashes;
  std::vector<EncodedNode>& out;

  Result<Sha256> Build(const std::vector<size_t>& members, int depth) {
    if (members.size() <= kMaxLeafEntries) {
      std::string bytes = NodeHeader(kLeafKind);
      PutUvarint(bytes, members.size());
      for (size_t i : members) PutEntry(bytes, entries[i]);
      return Emit(std::move(bytes));
    }
    if (depth > kMaxDepth) {
      // More than kMaxLeafEntries names with one SHA-256: not going to happen.
      return Internal("more than " + std::to_string(kMaxLeafEntries) +
                      " entry names share a SHA-256");
    }
    std::array<std::vector<size_t>, kShardFanout> groups;
    for (size_t i : members) groups[NibbleOf(name_hashes[i], depth)].push_back(i);
    std::string bytes = NodeHeader(kShardKind);
    bytes += static_cast<char>(depth);
    size_t child_count = 0;
    for (const auto& g : groups) child_count += g.empty() ? 0 : 1;
    PutUvarint(bytes, child_count);
    for (size_t nibble = 0; nibble < kShardFanout; ++nibble) {
      if (groups[nibble].empty()) continue;
      MV_ASSIGN_OR_RETURN(Sha256 child, Build(groups[nibble], depth + 1));
      bytes += static_cast<char>(nibble);
      bytes += AsBytes(child);
    }
    return Emit(std::move(bytes));
  }

  Sha256 Emit(std::string bytes) {
    Sha256 id = Sha256Of(bytes);
    out.push_back(EncodedNode{.id = id, .bytes = std::move(bytes)});
    return id;
  }
};

// Reads a node's bytes front to back; every failure names `where` and the offset.
class NodeReader {
 public:
  NodeReader(std::string_view bytes, std::string_view where) : bytes_(bytes), where_(where) {}

  size_t offset() const { return pos_; }
  bool done() const { return pos_ == bytes_.size(); }

  Status Fail(std::string_view what, size_t at) const {
    return Corruption(std::string(where_) + ": invalid tree node at byte " + std::to_string(at) +
                      ": " + std::string(what));
  }
  Status Fail(std::string_view what) const { return Fail(what, pos_); }

  Status Byte(uint8_t& out, std::string_view field) {
    if (pos_ >= bytes_.size()) return Fail("truncated: missing " + std::string(field));
    out = static_cast<uint8_t>(bytes_[pos_++]);
    return Status::Ok();
  }

  Status Bytes(size_t n, std::string_view& out, std::string_view field) {
    if (bytes_.size() - pos_ < n) return Fail("truncated: missing " + std::string(field));
    out = bytes_.substr(pos_, n);
    pos_ += n;
    return Status::Ok();
  }

  template <size_t N>
  Status Digest(std::array<uint8_t, N>& out, std::string_view field) {
    std::string_view raw;
    MV_RETURN_IF_ERROR(Bytes(N, raw, field));
    std::memcpy(out.data(), raw.data(), N);
    return Status::Ok();
  }

  // Unsigned LEB128 in its shortest form, at most 64 bits.
  Status Uvarint(uint64_t& out, std::string_view field) {
    const size_t start = pos_;
    switch (ReadUvarint(bytes_, pos_, out)) {
      case VarintError::kNone:
        return Status::Ok();
      case VarintError::kTruncated:
        pos_ = bytes_.size();
        return Fail("truncated: missing " + std::string(field));
      case VarintError::kOverflow:
        return Fail(std::string(field) + " overflows 64 bits", start);
      case VarintError::kNotShortest:
        return Fail(std::string(field) + " is not in its shortest varint form", start);
    }
    return Internal("unknown varint error");
  }

  // A uvarint length in [min, max] followed by that many bytes.
  Status LengthPrefixed(std::string_view& out, size_t min, size_t max, std::string_view field) {
    size_t start = pos_;
    uint64_t len = 0;
    MV_RETURN_IF_ERROR(Uvarint(len, std::string(field) + " length"));
    if (len < min || len > max) {
      return Fail(std::string(field) + " length " + std::to_string(len) + " is not in " +
                      std::to_string(min) + ".." + std::to_string(max),
                  start);
    }
    return Bytes(static_cast<size_t>(len), out, field);
  }

 private:
  std::string_view bytes_;
  std::string_view where_;
  size_t pos_ = 0;
};

Status DecodeEntry(NodeReader& r, TreeEntry& e) {
  size_t start = r.offset();
  std::string_view name;
  MV_RETURN_IF_ERROR(r.LengthPrefixed(name, 1, kMaxNameBytes, "entry name"));
  if (Status s = ValidateEntryName(name); !s.ok()) return r.Fail(s.message(), start);
  e.name = std::string(name);
  size_t type_at = r.offset();
  uint8_t type = 0;
  MV_RETURN_IF_ERROR(r.Byte(type, "entry type"));
  switch (static_cast<char>(type)) {
    case kFileType:
    case kExecutableType:
      e.type = EntryType::kFile;
      e.executable = type == kExecutableType;
      MV_RETURN_IF_ERROR(r.Uvarint(e.size, "file size"));
      MV_RETURN_IF_ERROR(r.Digest(e.hash, "file sha256"));
      MV_RETURN_IF_ERROR(r.Digest(e.sha1, "file sha1"));
      return Status::Ok();
    case kDirectoryType:
      e.type = EntryType::kDirectory;
      MV_RETURN_IF_ERROR(r.Uvarint(e.size, "directory size"));
      MV_RETURN_IF_ERROR(r.Uvarint(e.file_count, "directory file count"));
      MV_RETURN_IF_ERROR(r.Digest(e.hash, "directory node id"));
      return Status::Ok();
    case kSymlinkType: {
      e.type = EntryType::kSymlink;
      size_t target_at = r.offset();
      std::string_view target;
      MV_RETURN_IF_ERROR(r.LengthPrefixed(target, 1, kMaxTargetBytes, "symlink target"));
      if (Status s = ValidateSymlinkTarget(target); !s.ok()) {
        return r.Fail(s.message(), target_at);
      }
      e.target = std::string(target);
      return Status::Ok();
    }
    default:
      return r.Fail("unknown entry type byte " + std::to_string(type) + " for " + Quoted(name),
                    type_at);
  }
}

}  // namespace

std::string_view EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kFile:
      return "file";
    case EntryType::kDirectory:
      return "directory";
    case EntryType::kSymlink:
      return "symlink";
  }
  return "unknown";
}

Status ValidateEntryName(std::string_view name) {
  if (name.empty()) return InvalidArgument("empty name");
  if (name.size() > kMaxNameBytes) {
    return InvalidArgument("name of " + std::to_string(name.size()) + " bytes (at most " +
                           std::to_string(kMaxNameBytes) + ")");
  }
  if (name == "." || name == "..") return InvalidArgument("name " + Quoted(name) + " is reserved");
  if (name.find('/') != std::string_view::npos) {
    return InvalidArgument("name " + Quoted(name) + " contains '/'");
  }
  for (char bad : {'\0', '\n', '\r'}) {
    if (name.find(bad) != std::string_view::npos) {
      return InvalidArgument("name " + Quoted(name) + " contains NUL, '\\n' or '\\r'");
    }
  }
  if (!IsValidUtf8(name)) return InvalidArgument("name " + Quoted(name) + " is not valid UTF-8");
  return Status::Ok();
}

Status ValidateSymlinkTarget(std::string_view target) {
  if (target.empty()) return InvalidArgument("empty symlink target");
  if (target.size() > kMaxTargetBytes) {
    return InvalidArgument("symlink target of " + std::to_string(target.size()) +
                           " bytes (at most " + std::to_string(kMaxTargetBytes) + ")");
  }
  for (char bad : {'\0', '\n', '\r'}) {
    if (target.find(bad) != std::string_view::npos) {
      return InvalidArgument("symlink target " + Quoted(target) + " contains NUL, '\\n' or '\\r'");
    }
  }
  if (!IsValidUtf8(target)) {
    return InvalidArgument("symlink target " + Quoted(target) + " is not valid UTF-8");
  }
  return Status::Ok();
}

Result<EncodedDirectory> EncodeDirectory(std::vector<TreeEntry> entries) {
  for (const TreeEntry& e : entries) {
    if (Status s = ValidateEntryName(e.name); !s.ok()) return s.WithContext("tree entry");
    MV_RETURN_IF_ERROR(ValidateEntryFields(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.name < b.name; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i - 1].name == entries[i].name) {
      return InvalidArgument("two entries named " + Quoted(entries[i].name));
    }
  }
  std::vector<Sha256> name_hashes;
  std::vector<size_t> all(entries.size());
  if (entries.size() > kMaxLeafEntries) {
    name_hashes.reserve(entries.size());
    for (const TreeEntry& e : entries) name_hashes.push_back(Sha256Of(e.name));
  }
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  EncodedDirectory dir;
  Builder builder{.entries = entries, .name_hashes = name_hashes, .out = dir.nodes};
  MV_ASSIGN_OR_RETURN(dir.id, builder.Build(all, 0));
  return dir;
}

Result<DecodedNode> DecodeNode(std::string_view bytes, std::string_view where) {
  NodeReader r(bytes, where);
  std::string_view magic;
  MV_RETURN_IF_ERROR(r.Bytes(kMagic.size(), magic, "magic \"MVT\""));
  if (magic != kMagic) return r.Fail("not a tree node (bad magic)", 0);
  uint8_t version = 0;
  MV_RETURN_IF_ERROR(r.Byte(version, "version"));
  if (version != kVersion) {
    return r.Fail("tree node version " + std::to_string(version) +
                      " is not one this mirrorvault reads (1); a newer mirrorvault wrote it",
                  3);
  }
  uint8_t kind = 0;
  MV_RETURN_IF_ERROR(r.Byte(kind, "node kind"));
  DecodedNode node;
  if (kind == kLeafKind) {
    node.kind = DecodedNode::Kind::kLeaf;
    size_t count_at = r.offset();
    uint64_t count = 0;
    MV_RETURN_IF_ERROR(r.Uvarint(count, "entry count"));
    if (count > kMaxLeafEntries) {
      return r.Fail("leaf of " + std::to_string(count) + " entries (at most " +
                        std::to_string(kMaxLeafEntries) + ")",
                    count_at);
    }
    node.entries.resize(static_cast<size_t>(count));
    for (size_t i = 0; i < node.entries.size(); ++i) {
      size_t entry_at = r.offset();
      MV_RETURN_IF_ERROR(DecodeEntry(r, node.entries[i]));
      if (i > 0 && !(node.entries[i - 1].name < node.entries[i].name)) {
        return r.Fail("entry " + Quoted(node.entries[i].name) +
                          (node.entries[i - 1].name == node.entries[i].name
                               ? " appears twice"
                               : " is out of order (names are sorted by bytes)"),
                      entry_at);
      }
    }
  } else if (kind == kShardKind) {
    node.kind = DecodedNode::Kind::kShard;
    uint8_t depth = 0;
    MV_RETURN_IF_ERROR(r.Byte(depth, "shard depth"));
    if (depth > kMaxDepth) {
      return r.Fail("shard depth " + std::to_string(depth) + " is above 63", r.offset() - 1);
    }
    node.depth = depth;
    size_t count_at = r.offset();
    uint64_t count = 0;
    MV_RETURN_IF_ERROR(r.Uvarint(count, "child count"));
    if (count < 1 || count > kShardFanout) {
      return r.Fail("shard of " + std::to_string(count) + " children (1..16)", count_at);
    }
    node.children.resize(static_cast<size_t>(count));
    for (size_t i = 0; i < node.children.size(); ++i) {
      size_t child_at = r.offset();
      uint8_t nibble = 0;
      MV_RETURN_IF_ERROR(r.Byte(nibble, "child nibble"));
      if (nibble >= kShardFanout) {
        return r.Fail("child nibble " + std::to_string(nibble) + " is above 15", child_at);
      }
      if (i > 0 && nibble <= node.children[i - 1].nibble) {
        return r.Fail("child nibbles are not strictly ascending", child_at);
      }
      node.children[i].nibble = nibble;
      MV_RETURN_IF_ERROR(r.Digest(node.children[i].id, "child node id"));
    }
  } else {
    return r.Fail("unknown node kind byte " + std::to_string(kind), 4);
  }
  if (!r.done()) return r.Fail("trailing bytes after the node");
  return node;
}

uint8_t NameNibble(std::string_view name, int depth) {
  assert(depth >= 0 && depth <= kMaxDepth);
  if (depth < 0 || depth > kMaxDepth) return 0;
  return NibbleOf(Sha256Of(name), depth);
}

}  // namespace mv::archive
