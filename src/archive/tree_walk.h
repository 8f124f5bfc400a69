// Reading trees: a directory's entries across its shard nodes, a path lookup, and the diff of
// two directories that descends only into subtrees whose ids differ.
//
// Nodes come from a NodeSource (the catalog's tree cache, then the store: archive/node_source.h),
// so these functions are pure logic over ids and are tested with an in-memory source.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/tree.h"
#include "util/status.h"

namespace mv::archive {

class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // The decoded node with id `id`; NotFound when it does not exist, Corruption when its bytes
  // do not hash to `id` or do not decode. Thread-safe.
  virtual Result<DecodedNode> GetNode(const Sha256& id) = 0;
};

// All entries of the directory whose top node is `dir`, sorted by name. Corruption when a shard
// node's child holds entries whose names do not belong under that nibble path, or the shape is
// not the canonical one (a shard node at the wrong depth, an empty leaf below a shard node, a
// shard node holding <= kMaxLeafEntries entries).
Result<std::vector<TreeEntry>> ListDirectory(NodeSource& source, const Sha256& dir);

// The entry `name` of directory `dir` (reads only the nodes on the name's shard path);
// std::nullopt when absent. InvalidArgument when `name` is not a valid entry name.
Result<std::optional<TreeEntry>> LookupEntry(NodeSource& source, const Sha256& dir,
                                             std::string_view name);

// The entry at `path` ("a/b/c"; "" or "/" is the root itself, returned as a directory entry
// named "" with `root` as hash, size and file_count 0) under root directory `root`, not
// following symlinks; one leading '/' is allowed. NotFound names the path when a component is
// missing or a non-final component is not a directory; InvalidArgument when a component is not a
// valid entry name (an empty one from "a//b" or a trailing '/').
Result<TreeEntry> LookupPath(NodeSource& source, const Sha256& root, std::string_view path);

// Calls `visit(path, entry)` for every entry beneath `root` in depth-first pre-order, paths
// relative to the root ("pool", "pool/main", ...), each directory's entries by name. `visit`
// returning a non-OK status stops the walk with that status. When `skip` is given and returns
// true for a directory's id, that directory is visited but not descended into. Corruption when
// directories nest deeper than 2048 levels (longer than any PATH_MAX path).
Status WalkTree(NodeSource& source, const Sha256& root,
                const std::function<Status(const std::string& path, const TreeEntry& entry)>& visit,
                const std::function<bool(const Sha256& dir)>& skip = {});

enum class ChangeKind { kAdded, kRemoved, kChanged };
struct Change {
  ChangeKind kind;
  std::string path;
  std::optional<TreeEntry> before;  // removed, changed
  std::optional<TreeEntry> after;   // added, changed
};

// Calls `visit` for every path that differs between directory trees `a` and `b`, in path order
// (WalkTree's: depth-first pre-order, each directory's names in byte order). A path that is a
// directory on one side only is reported for each entry beneath it (and the directory itself,
// first: kChanged when the other side has a non-directory there, else kAdded/kRemoved). A
// directory on both sides whose entry differs is reported kChanged, then the paths beneath it.
// Descends only where ids differ, and within a sharded directory only into shards whose ids differ.
Status DiffTrees(NodeSource& source, const Sha256& a, const Sha256& b,
                 const std::function<Status(const Change&)>& visit);

}  // namespace mv::archive
