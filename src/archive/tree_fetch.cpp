#include "archive/tree_fetch.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>

#include "util/task_group.h"

namespace mv::archive {

size_t IdHasher::operator()(const Sha256& id) const {
  size_t h;
  std::memcpy(&h, id.data(), sizeof h);
  return h;
}

Status FetchTrees(store::ObjectStore& store,
                  const std::vector<std::pair<Sha256, std::string>>& roots,
                  std::unordered_map<Sha256, FetchedNode, IdHasher>& out,
                  const FetchOptions& options) {
  std::vector<std::pair<Sha256, std::string>> level;
  for (const auto& r : roots) {
    if (out.contains(r.first) || (options.skip && options.skip(r.first))) continue;
    level.push_back(r);
  }
  std::mutex mu;
  while (!level.empty()) {
    std::vector<std::optional<FetchedNode>> fetched(level.size());
    MV_RETURN_IF_ERROR(
        ParallelFor(level.size(),
                    [&](size_t i) -> Status {
                      const auto& [id, path] = level[i];
                      const std::string key = TreeKey(id);
                      Status problem;
                      Result<std::string> bytes = store.GetBytes(key);
                      if (!bytes.ok()) {
                        problem = bytes.status();
                      } else if (Sha256Of(*bytes) != id) {
                        problem = Corruption("tree node " + key + " does not hash to its name");
                      } else {
                        Result<DecodedNode> node = DecodeNode(*bytes, key);
                        if (node.ok()) {
                          fetched[i] = FetchedNode{std::move(*bytes), std::move(*node), path};
                          return Status::Ok();
                        }
                        problem = node.status();
                      }
                      if (!options.on_problem) {
                        return problem.WithContext("folder '/" + path + "'");
                      }
                      std::lock_guard lock(mu);
                      return options.on_problem(id, path, problem);
                    },
                    {.max_in_flight = options.concurrency}));
    std::vector<std::pair<Sha256, std::string>> next;
    for (size_t i = 0; i < level.size(); ++i) {
      if (!fetched[i]) continue;
      FetchedNode& f = *fetched[i];
      auto want = [&](const Sha256& child, std::string child_path, bool skippable) {
        if (out.contains(child) || (skippable && options.skip && options.skip(child))) return;
        next.emplace_back(child, std::move(child_path));
      };
      for (const TreeEntry& e : f.node.entries) {
        if (e.type == EntryType::kDirectory) {
          want(e.hash, f.path.empty() ? e.name : f.path + "/" + e.name, true);
        }
      }
      for (const DecodedNode::Child& c : f.node.children) want(c.id, f.path, false);
      out.emplace(level[i].first, std::move(f));
    }
    // One fetch per id even when several parents name it in this level.
    std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) {
      return a.first < b.first || (a.first == b.first && a.second < b.second);
    });
    next.erase(std::unique(next.begin(), next.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               next.end());
    level = std::move(next);
  }
  return Status::Ok();
}

Result<DecodedNode> FetchedNodeSource::GetNode(const Sha256& id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return NotFound("tree node " + ToHex(id) + " was not fetched");
  return it->second.node;
}

}  // namespace mv::archive
