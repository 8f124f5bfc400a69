// Trees: how one directory of a run is stored. A permanent, versioned format; the byte layout
// is specified in docs/store-format.md and pinned by golden hashes in tests.
//
// A directory is one node when it has at most kMaxLeafEntries entries, else a set of nodes
// sharded by the hex digits of SHA-256(name): a shard node at depth d has up to 16 children, one
// per value of the d-th hex digit (nibble) of the names' hashes, each child being either a leaf
// node with that subset of entries (sorted by name) or, when still too big, a shard node at depth
// d+1. The shape is a pure function of the set of entries, so equal directories give equal hashes
// whatever order they were built in, and changing one entry of a huge directory rewrites only
// the nodes on its path (O(log n) small nodes), not the whole listing.
//
// A node's id is the SHA-256 of its encoded bytes; it is stored at trees/<h0h1>/<sha256>. A
// directory entry in its parent carries the id of the directory's top node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ids.h"
#include "util/status.h"

namespace mv::archive {

inline constexpr size_t kMaxLeafEntries = 256;
inline constexpr size_t kShardFanout = 16;

enum class EntryType : uint8_t { kFile, kDirectory, kSymlink };
std::string_view EntryTypeName(EntryType type);  // "file", "directory", "symlink"

struct TreeEntry {
  std::string name;  // one path component: see ValidateEntryName
  EntryType type = EntryType::kFile;
  bool executable = false;  // files only
  // File: its length in bytes. Directory: the total bytes of the files beneath it (recursive).
  uint64_t size = 0;
  // Directory: the number of files beneath it (recursive). Zero for files and symlinks.
  uint64_t file_count = 0;
  // File: SHA-256 of the contents (the blob id). Directory: id of the directory's top node.
  Sha256 hash{};
  Sha1 sha1{};         // file only: SHA-1 of the contents
  std::string target;  // symlink only: the link's target as stored (1..4095 bytes)

  friend bool operator==(const TreeEntry&, const TreeEntry&) = default;
};

// A name is 1..255 bytes of well-formed UTF-8 with no '/', NUL, '\n' or '\r', and is not "." or
// "..". InvalidArgument says which rule it breaks (the caller adds the path). Symlink targets:
// 1..4095 bytes of UTF-8 without NUL, '\n' or '\r' (ValidateSymlinkTarget).
Status ValidateEntryName(std::string_view name);
Status ValidateSymlinkTarget(std::string_view target);

// One encoded node, ready to store.
struct EncodedNode {
  Sha256 id;          // SHA-256(bytes)
  std::string bytes;  // the encoding
};

// A directory encoded as nodes.
struct EncodedDirectory {
  Sha256 id;  // the top node's id: what the parent's entry carries
  // Every node of the directory, children before their shard node (the top node is last).
  std::vector<EncodedNode> nodes;
};

// Encodes a directory from its entries in any order. InvalidArgument names the entry when a
// name or target is invalid, two entries share a name, or fields do not fit the type (a symlink
// with a hash, a directory marked executable, ...).
Result<EncodedDirectory> EncodeDirectory(std::vector<TreeEntry> entries);

// A decoded node.
struct DecodedNode {
  enum class Kind { kLeaf, kShard };
  Kind kind = Kind::kLeaf;
  std::vector<TreeEntry> entries;  // leaf: sorted by name (byte order), unique
  int depth = 0;                   // shard: which nibble of SHA-256(name) chooses the child
  struct Child {
    uint8_t nibble = 0;  // 0..15, strictly ascending
    Sha256 id{};
  };
  std::vector<Child> children;  // shard: at least one
};

// Decodes and checks a node: magic and version, canonical varints, field rules, sorted unique
// names, no trailing bytes. Corruption names `where` (a key or a path) and the byte offset.
Result<DecodedNode> DecodeNode(std::string_view bytes, std::string_view where = "tree node");
// The nibble of SHA-256(name) at `depth` (0 = the high nibble of the first byte).
// REQUIRES: 0 <= depth <= 63.
uint8_t NameNibble(std::string_view name, int depth);

}  // namespace mv::archive
