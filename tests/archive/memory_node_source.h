// Test helpers for tree code: an in-memory NodeSource that counts its reads, and builders for
// tree entries.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "archive/ids.h"
#include "archive/tree.h"
#include "archive/tree_walk.h"
#include "util/hash.h"

namespace mv::archive::testing {

// Nodes by id; GetNode checks the hash and decodes, as the real sources do. Thread-safe.
class MemoryNodeSource final : public NodeSource {
 public:
  void Add(const EncodedDirectory& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const EncodedNode& n : dir.nodes) nodes_[n.id] = n.bytes;
  }
  void Put(const Sha256& id, std::string bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    nodes_[id] = std::move(bytes);
  }
  Result<DecodedNode> GetNode(const Sha256& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++gets_;
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return NotFound("no tree node " + ToHex(id));
    if (Sha256Of(it->second) != id) return Corruption("tree node " + ToHex(id) + ": wrong hash");
    return DecodeNode(it->second, TreeKey(id));
  }
  size_t gets() {
    std::lock_guard<std::mutex> lock(mu_);
    return gets_;
  }
  void ResetGets() {
    std::lock_guard<std::mutex> lock(mu_);
    gets_ = 0;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return nodes_.size();
  }

 private:
  std::mutex mu_;
  std::map<Sha256, std::string> nodes_;
  size_t gets_ = 0;
};

inline Sha1 Sha1Of(std::string_view data) {
  ContentHasher hasher;
  hasher.Update(data);
  return hasher.Finish().sha1;
}

inline TreeEntry File(std::string name, std::string_view contents, bool executable = false) {
  return TreeEntry{.name = std::move(name),
                   .type = EntryType::kFile,
                   .executable = executable,
                   .size = contents.size(),
                   .hash = Sha256Of(contents),
                   .sha1 = Sha1Of(contents)};
}

inline TreeEntry Symlink(std::string name, std::string target) {
  return TreeEntry{
      .name = std::move(name), .type = EntryType::kSymlink, .target = std::move(target)};
}

inline TreeEntry Dir(std::string name, const Sha256& id, uint64_t bytes = 0, uint64_t files = 0) {
  return TreeEntry{.name = std::move(name),
                   .type = EntryType::kDirectory,
                   .size = bytes,
                   .file_count = files,
                   .hash = id};
}

// Encodes `entries` as a directory, stores its nodes in `source`, returns its entry `name`
// (sizes and counts summed from the entries).
inline TreeEntry PutDir(MemoryNodeSource& source, std::string name,
                        std::vector<TreeEntry> entries) {
  uint64_t bytes = 0, files = 0;
  for (const TreeEntry& e : entries) {
    bytes += e.size;
    files += e.type == EntryType::kFile ? 1 : e.file_count;
  }
  auto dir = EncodeDirectory(std::move(entries));
  if (!dir.ok()) std::abort();
  source.Add(*dir);
  return Dir(std::move(name), dir->id, bytes, files);
}

}  // namespace mv::archive::testing
