#include "retention/gc.h"

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "archive/id_set.h"
#include "archive/recovery.h"
#include "archive/tree.h"
#include "archive/writer_lock.h"
#include "retention/fence.h"
#include "util/hash.h"
#include "util/host.h"
#include "util/log.h"
#include "util/strings.h"
#include "util/task_group.h"
#include "util/units.h"

namespace mv::retention {
namespace {

using archive::IdSet;
using archive::Sha256;

struct Marks {
  IdSet nodes, blobs;
};

// Marks every node and blob reachable from `roots` that `marks` does not hold yet, a level of
// the trees at a time with `concurrency` reads in flight; a node is read from the catalog's cache
// when it has it (checked against its id), else from the store. A node that cannot be read fails
// the whole gc (an incomplete mark would delete what a run names), except under the roots given
// as `optional` (stat-cache folders: one gone already is no gc's loss).
Status Mark(store::ObjectStore& store, archive::Catalog& catalog, const std::vector<Sha256>& roots,
            Marks& marks, size_t concurrency, bool optional = false) {
  std::vector<Sha256> frontier;
  for (const Sha256& r : roots) {
    if (marks.nodes.Insert(r)) frontier.push_back(r);
  }
  // Blobs go straight into the marks (under a lock), so a level's files are never held apart: the
  // widest level of an archive is most of its files.
  std::mutex blobs_mu;
  while (!frontier.empty()) {
    std::vector<std::vector<Sha256>> dirs(frontier.size());
    MV_RETURN_IF_ERROR(ParallelFor(
        frontier.size(),
        [&](size_t i) -> Status {
          const Sha256& id = frontier[i];
          const std::string key = archive::TreeKey(id);
          std::optional<std::string> bytes;
          if (Result<std::optional<std::string>> cached = catalog.GetNode(id);
              cached.ok() && *cached && mv::Sha256(**cached) == id) {
            bytes = std::move(**cached);
          }
          if (!bytes) {
            Result<std::string> read = store.GetBytes(key);
            if (!read.ok()) {
              if (optional && read.status().IsNotFound()) return Status::Ok();
              return read.status().WithContext("gc: reading tree node " + key +
                                               " of a kept run (nothing was deleted; fsck says "
                                               "more)");
            }
            bytes = std::move(*read);
          }
          MV_ASSIGN_OR_RETURN(archive::DecodedNode node, archive::DecodeNode(*bytes, key));
          for (const archive::DecodedNode::Child& c : node.children) dirs[i].push_back(c.id);
          std::lock_guard lock(blobs_mu);
          for (const archive::TreeEntry& e : node.entries) {
            if (e.type == archive::EntryType::kDirectory) dirs[i].push_back(e.hash);
            if (e.type == archive::EntryType::kFile) marks.blobs.Insert(e.hash);
          }
          return Status::Ok();
        },
        {.max_in_flight = concurrency}));
    std::vector<Sha256> next;
    for (size_t i = 0; i < frontier.size(); ++i) {
      for (const Sha256& d : dirs[i]) {
        if (marks.nodes.Insert(d)) next.push_back(d);
      }
    }
    frontier = std::move(next);
  }
  return Status::Ok();
}

// The kept runs' roots (runs/ without tombstones), and their keys.
struct KeptRuns {
  std::set<std::string> keys;
  std::vector<Sha256> roots;
};
Result<KeptRuns> ListKept(store::ObjectStore& store, const std::set<std::string>& skip) {
  KeptRuns out;
  MV_ASSIGN_OR_RETURN(std::vector<archive::RunKeyParts> keys,
                      archive::ListStoredRunKeys(store, ""));
  for (const archive::RunKeyParts& k : keys) {
    const std::string key = archive::RunKey(k.archive, k.run_id);
    if (skip.contains(key)) continue;
    MV_ASSIGN_OR_RETURN(archive::StoredRun run, archive::ReadStoredRun(store, k));
    out.keys.insert(key);
    out.roots.push_back(run.record.root);
  }
  return out;
}

struct Candidate {
  Sha256 id;
  uint64_t size = 0;
  bool tree = false;
};

// Every object under blobs/ and trees/ that `marks` does not hold, older than `before`; the
// younger ones counted in `young`. 256 listings per kind (by the first shard folder), many at once.
Result<std::vector<Candidate>> ListCandidates(store::ObjectStore& store, const Marks& marks,
                                              std::chrono::system_clock::time_point before,
                                              size_t concurrency, GcCount& young) {
  std::vector<std::string> prefixes;
  for (std::string_view kind : {archive::kBlobsPrefix, archive::kTreesPrefix}) {
    for (int i = 0; i < 256; ++i) {
      static constexpr char kHex[] = "0123456789abcdef";
      prefixes.push_back(std::string(kind) + kHex[i >> 4] + kHex[i & 15] + "/");
    }
  }
  std::mutex mu;
  // Each listing's candidates apart, then joined once into a vector of the exact size: no
  // doubling of the whole list while it grows.
  std::vector<std::vector<Candidate>> per_prefix(prefixes.size());
  Status all = ParallelFor(
      prefixes.size(),
      [&](size_t p) -> Status {
        const bool tree = prefixes[p].starts_with(archive::kTreesPrefix);
        std::vector<Candidate> found;
        GcCount kept;
        Status listed = store.ListAll({.prefix = prefixes[p]}, [&](const store::ListPage& page) {
          for (const store::ObjectInfo& o : page.objects) {
            Result<Sha256> id = tree ? archive::ParseTreeKey(o.key) : archive::ParseBlobKey(o.key);
            if (!id.ok()) continue;  // not an object of the format (a stray upload): left alone
            if ((tree ? marks.nodes : marks.blobs).Contains(*id)) continue;
            if (o.last_modified >= before) {
              kept.objects += 1;
              kept.bytes += o.size;
              continue;
            }
            found.push_back({*id, o.size, tree});
          }
          return true;
        });
        MV_RETURN_IF_ERROR(listed);
        found.shrink_to_fit();
        std::lock_guard lock(mu);
        per_prefix[p] = std::move(found);
        young.objects += kept.objects;
        young.bytes += kept.bytes;
        return Status::Ok();
      },
      {.max_in_flight = concurrency});
  MV_RETURN_IF_ERROR(all);
  size_t total = 0;
  for (const std::vector<Candidate>& v : per_prefix) total += v.size();
  std::vector<Candidate> out;
  out.reserve(total);
  for (std::vector<Candidate>& v : per_prefix) {
    out.insert(out.end(), v.begin(), v.end());
    std::vector<Candidate>().swap(v);
  }
  return out;
}

std::string KeyOf(const Candidate& c) {
  return c.tree ? archive::TreeKey(c.id) : archive::BlobKey(c.id);
}

}  // namespace

Result<GcSummary> CollectGarbage(store::ObjectStore& store, archive::Catalog& catalog,
                                 const GcOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  const size_t concurrency = std::max<size_t>(options.concurrency, 1);
  GcSummary summary;
  auto lap = [&clock, at = clock.SteadyNow()](std::chrono::milliseconds& into) mutable {
    const auto now = clock.SteadyNow();
    into += std::chrono::duration_cast<std::chrono::milliseconds>(now - at);
    at = now;
  };
  // 1. Mark.
  const auto before = clock.Now() - options.grace;
  Marks marks;
  MV_ASSIGN_OR_RETURN(KeptRuns kept, ListKept(store, {}));
  summary.runs = kept.keys.size();
  MV_RETURN_IF_ERROR(Mark(store, catalog, kept.roots, marks, concurrency));
  MV_ASSIGN_OR_RETURN(std::vector<Sha256> stat_nodes, catalog.StatCacheNodes());
  MV_RETURN_IF_ERROR(Mark(store, catalog, stat_nodes, marks, concurrency, /*optional=*/true));
  lap(summary.mark);
  MV_ASSIGN_OR_RETURN(std::vector<Candidate> candidates,
                      ListCandidates(store, marks, before, concurrency, summary.young));
  lap(summary.list);

  // 2-3. The fence, then what was committed meanwhile.
  std::unique_ptr<archive::WriterLock> fence;
  if (!options.dry_run && !candidates.empty()) {
    MV_ASSIGN_OR_RETURN(fence, RaiseFence(catalog, options.who, options.wait, options.clock));
    lap(summary.fence_wait);
    MV_ASSIGN_OR_RETURN(KeptRuns later, ListKept(store, kept.keys));
    summary.later_runs = later.keys.size();
    summary.runs += later.keys.size();
    MV_RETURN_IF_ERROR(Mark(store, catalog, later.roots, marks, concurrency));
    MV_ASSIGN_OR_RETURN(stat_nodes, catalog.StatCacheNodes());
    MV_RETURN_IF_ERROR(Mark(store, catalog, stat_nodes, marks, concurrency, /*optional=*/true));
    std::erase_if(candidates, [&](const Candidate& c) {
      return (c.tree ? marks.nodes : marks.blobs).Contains(c.id);
    });
    lap(summary.mark);
  }
  summary.live_nodes = marks.nodes.size();
  summary.live_blobs = marks.blobs.size();
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.tree, a.id) < std::tie(b.tree, b.id);
  });
  for (const Candidate& c : candidates) {
    GcCount& count = c.tree ? summary.nodes : summary.blobs;
    count.objects += 1;
    count.bytes += c.size;
  }
  if (options.dry_run || candidates.empty()) {
    if (options.on_object) {
      for (const Candidate& c : candidates) options.on_object(KeyOf(c), c.size);
    }
    return summary;
  }

  // 4. The catalog forgets them first: no writer may take one as stored once it is gone.
  std::vector<Sha256> blob_ids, node_ids;
  for (const Candidate& c : candidates) (c.tree ? node_ids : blob_ids).push_back(c.id);
  MV_RETURN_IF_ERROR(catalog.ForgetObjects(blob_ids, node_ids)
                         .WithContext("gc: forgetting the unreferenced objects in the catalog "
                                      "(nothing was deleted from the store)"));
  lap(summary.catalog);
  // 5. Deleted in batches, the fence confirmed before each.
  constexpr size_t kBatch = 1000;
  std::mutex mu;
  Status deleted = ParallelFor(
      (candidates.size() + kBatch - 1) / kBatch,
      [&](size_t b) -> Status {
        MV_RETURN_IF_ERROR(fence->Confirm().WithContext("gc: the fence was lost; stopping"));
        std::vector<std::string> keys;
        for (size_t i = b * kBatch; i < std::min(candidates.size(), (b + 1) * kBatch); ++i) {
          keys.push_back(KeyOf(candidates[i]));
          if (options.on_object) {
            std::lock_guard lock(mu);
            options.on_object(keys.back(), candidates[i].size);
          }
        }
        std::vector<store::DeleteFailure> failures;
        Status st = store.DeleteMany(keys, &failures);
        std::lock_guard lock(mu);
        summary.failed += failures.size();
        for (const store::DeleteFailure& f : failures) {
          LogWarn("gc: an object could not be deleted (the next gc tries again)",
                  {{"key", f.key}, {"error", f.status.ToString()}});
        }
        return st;
      },
      {.max_in_flight = concurrency});
  MV_RETURN_IF_ERROR(deleted);
  lap(summary.delete_time);
  MV_RETURN_IF_ERROR(fence->Release());
  LogInfo("gc done", {{"runs", summary.runs},
                      {"blobs_deleted", summary.blobs.objects},
                      {"nodes_deleted", summary.nodes.objects},
                      {"bytes_deleted", summary.blobs.bytes + summary.nodes.bytes}});
  return summary;
}

}  // namespace mv::retention
