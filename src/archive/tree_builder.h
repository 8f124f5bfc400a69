// TreeBuilder: turns the files, symlinks and directories of one run, given by path in any order,
// into the run's tree nodes (archive/tree.h), bottom-up. Used by every importer (a local folder,
// an upstream apt repository).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "archive/tree.h"
#include "util/status.h"

namespace mv::archive {

struct BuiltTree {
  Sha256 root{};
  uint64_t files = 0;
  uint64_t bytes = 0;
  // Every distinct node, grouped by height: levels[0] holds nodes with no directory below them,
  // levels[k] only nodes whose children are all in levels[0..k-1]. Uploading level by level is
  // "leaves first".
  std::vector<std::vector<EncodedNode>> levels;
  // Every file (not symlinks) with its path, in tree order: depth-first pre-order, each
  // directory's entries by name, as WalkTree visits them.
  struct File {
    std::string path;
    TreeEntry entry;
  };
  std::vector<File> files_in_order;
};

// Paths in tree order (a directory's entries by name, depth first): '/' sorts before every byte
// a name may hold.
bool TreeOrderLess(std::string_view a, std::string_view b);

// Groups newly encoded directories' nodes by height, for BuiltTree::levels. Nodes it was not
// given (in the store already: an unchanged folder of an earlier run) count as below every level.
class NodeLevels {
 public:
  // `subdirs`: the top node ids of the directory's subdirectories.
  Status Add(EncodedDirectory directory, std::span<const Sha256> subdirs);
  size_t nodes() const { return nodes_; }
  std::vector<std::vector<EncodedNode>> Take() { return std::move(levels_); }

 private:
  std::unordered_map<std::string, size_t> height_;  // node id bytes -> height
  std::vector<std::vector<EncodedNode>> levels_;
  size_t nodes_ = 0;
};

class TreeBuilder {
 public:
  TreeBuilder();
  ~TreeBuilder();
  TreeBuilder(const TreeBuilder&) = delete;
  TreeBuilder& operator=(const TreeBuilder&) = delete;

  // Adds a file or symlink at `path` ("a/b/c", no leading '/'); `entry.name` is replaced by the
  // last component. Missing parents become directories. InvalidArgument names the path when a
  // component is invalid (ValidateEntryName), the path exists already, or a parent is a file.
  Status Add(std::string_view path, TreeEntry entry);
  // Adds a directory (which may stay empty). Adding an existing directory is OK.
  Status AddDirectory(std::string_view path);

  // Encodes every directory. The builder is spent afterwards.
  Result<BuiltTree> Build();

 private:
  struct Dir;
  Result<Dir*> FindDir(std::string_view path, std::string_view whole);
  std::unique_ptr<Dir> root_;
};

}  // namespace mv::archive
