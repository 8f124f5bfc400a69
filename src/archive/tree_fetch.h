// Fetching whole trees from the store in parallel (breadth-first, one level of nodes in flight
// at a time), for the commands that read every node of runs: recovery, rebuild-catalog, fsck.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "archive/tree.h"
#include "archive/tree_walk.h"
#include "store/object_store.h"

namespace mv::archive {

struct IdHasher {
  size_t operator()(const Sha256& id) const;
};

struct FetchedNode {
  std::string bytes;
  DecodedNode node;
  std::string path;  // where it was first reached ("" for the root; "pool/main" ...)
};

struct FetchOptions {
  size_t concurrency = 32;
  // Directories (top node ids) not to fetch, nor anything beneath them. Asked of the roots and
  // of directory entries only: a shard node is fetched whenever its directory is, since a
  // changed directory may share unchanged shard nodes with directories skipped before.
  std::function<bool(const Sha256&)> skip;
  // Called for a node that cannot be fetched or checked; returning OK records the problem and
  // goes on (fsck), else the fetch stops with that status. Null: stop at the first problem.
  std::function<Status(const Sha256& id, const std::string& path, const Status& problem)>
      on_problem;
};

// Fetches every node reachable from `roots` (with their first paths) into `out` (ids already
// in `out` are not fetched again). Each node is checked against its id and decoded.
Status FetchTrees(store::ObjectStore& store,
                  const std::vector<std::pair<Sha256, std::string>>& roots,
                  std::unordered_map<Sha256, FetchedNode, IdHasher>& out,
                  const FetchOptions& options);

// A NodeSource over fetched nodes (NotFound for any other id).
class FetchedNodeSource final : public NodeSource {
 public:
  explicit FetchedNodeSource(const std::unordered_map<Sha256, FetchedNode, IdHasher>& nodes)
      : nodes_(nodes) {}
  Result<DecodedNode> GetNode(const Sha256& id) override;

 private:
  const std::unordered_map<Sha256, FetchedNode, IdHasher>& nodes_;
};

}  // namespace mv::archive
