#include "retention/gc.h"

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "archive/id_set.h"
#include "archive/recovery.h"
#include "archive/tree.h"
#include "archive/writer_lock.h"
#include "retention/candidate_file.h"
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

// Every object under blobs/ and trees/ that `marks` does not hold, older than `before`, written
// to `file` a listing at a time (sorted by id within it); the younger ones counted in `young`.
// 256 listings per kind (by the first shard folder), many at once.
Status ListCandidates(store::ObjectStore& store, const Marks& marks,
                      std::chrono::system_clock::time_point before, size_t concurrency,
                      CandidateFile& file, GcCount& young) {
  std::vector<std::string> prefixes;
  for (std::string_view kind : {archive::kBlobsPrefix, archive::kTreesPrefix}) {
    for (int i = 0; i < 256; ++i) {
      static constexpr char kHex[] = "0123456789abcdef";
      prefixes.push_back(std::string(kind) + kHex[i >> 4] + kHex[i & 15] + "/");
    }
  }
  std::mutex mu;
  return ParallelFor(
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
        std::sort(found.begin(), found.end(),
                  [](const Candidate& a, const Candidate& b) { return a.id < b.id; });
        MV_RETURN_IF_ERROR(file.WriteSection(p, found));
        std::lock_guard lock(mu);
        young.objects += kept.objects;
        young.bytes += kept.bytes;
        return Status::Ok();
      },
      {.max_in_flight = concurrency});
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
  MV_ASSIGN_OR_RETURN(std::unique_ptr<CandidateFile> candidates,
                      CandidateFile::Create(options.temp_dir.empty() ? CandidateFile::DefaultDir()
                                                                     : options.temp_dir));
  MV_RETURN_IF_ERROR(ListCandidates(store, marks, before, concurrency, *candidates, summary.young));
  lap(summary.list);

  // 2-3. The fence, then what was committed meanwhile.
  std::unique_ptr<archive::WriterLock> fence;
  if (!options.dry_run && candidates->count() > 0) {
    MV_ASSIGN_OR_RETURN(fence, RaiseFence(catalog, options.who, options.wait, options.clock));
    lap(summary.fence_wait);
    MV_ASSIGN_OR_RETURN(KeptRuns later, ListKept(store, kept.keys));
    summary.later_runs = later.keys.size();
    summary.runs += later.keys.size();
    MV_RETURN_IF_ERROR(Mark(store, catalog, later.roots, marks, concurrency));
    MV_ASSIGN_OR_RETURN(stat_nodes, catalog.StatCacheNodes());
    MV_RETURN_IF_ERROR(Mark(store, catalog, stat_nodes, marks, concurrency, /*optional=*/true));
    lap(summary.mark);
  }
  summary.live_nodes = marks.nodes.size();
  summary.live_blobs = marks.blobs.size();
  summary.mark_bytes = marks.nodes.bytes() + marks.blobs.bytes();
  summary.candidate_file_bytes = candidates->count() * CandidateFile::kRecordBytes;
  // A candidate that a run committed since the listing names is no longer one.
  auto still = [&marks](const Candidate& c) {
    return !(c.tree ? marks.nodes : marks.blobs).Contains(c.id);
  };
  constexpr size_t kChunk = 65536;
  MV_RETURN_IF_ERROR(candidates->ForEachChunk(kChunk, [&](std::span<const Candidate> chunk) {
    for (const Candidate& c : chunk) {
      if (!still(c)) continue;
      GcCount& count = c.tree ? summary.nodes : summary.blobs;
      count.objects += 1;
      count.bytes += c.size;
      if (options.dry_run && options.on_object) options.on_object(KeyOf(c), c.size);
    }
    return Status::Ok();
  }));
  if (options.dry_run || summary.blobs.objects + summary.nodes.objects == 0) return summary;

  // 4-5. A chunk of candidates at a time (sorted by id within each listing, so the catalog's
  // deletions walk its indexes in order): the catalog forgets the chunk in one transaction, so
  // that no writer may take one as stored once it is gone, then its batches of 1,000 keys go to
  // the deleters (one DeleteObjects request each, `concurrency` in flight); the next chunk is
  // forgotten while they work. The fence is confirmed before each batch.
  constexpr size_t kBatch = 1000;
  ThreadPool pool({.threads = concurrency});
  TaskGroup deleters(pool, {.max_in_flight = concurrency});
  std::mutex mu;
  Status forgotten = candidates->ForEachChunk(kChunk, [&](std::span<const Candidate> chunk) {
    if (deleters.cancelled()) return Status::Ok();  // a batch failed: Wait() below says why
    std::vector<Sha256> blob_ids, node_ids;
    std::vector<Candidate> live;
    for (const Candidate& c : chunk) {
      if (!still(c)) continue;
      (c.tree ? node_ids : blob_ids).push_back(c.id);
      live.push_back(c);
    }
    const auto t0 = clock.SteadyNow();
    MV_RETURN_IF_ERROR(catalog.ForgetObjects(blob_ids, node_ids)
                           .WithContext("gc: forgetting unreferenced objects in the catalog (not "
                                        "deleted from the store yet)"));
    summary.catalog +=
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - t0);
    for (size_t at = 0; at < live.size(); at += kBatch) {
      std::vector<Candidate> batch(
          live.begin() + static_cast<ptrdiff_t>(at),
          live.begin() + static_cast<ptrdiff_t>(std::min(live.size(), at + kBatch)));
      const bool started = deleters.Run([&, batch = std::move(batch)]() -> Status {
        MV_RETURN_IF_ERROR(fence->Confirm().WithContext("gc: the fence was lost; stopping"));
        std::vector<std::string> keys;
        for (const Candidate& c : batch) keys.push_back(KeyOf(c));
        if (options.on_object) {
          std::lock_guard lock(mu);
          for (size_t i = 0; i < batch.size(); ++i) options.on_object(keys[i], batch[i].size);
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
      });
      if (!started) return Status::Ok();  // a batch failed: Wait() below says why
    }
    return Status::Ok();
  });
  Status deleted = deleters.Wait();
  MV_RETURN_IF_ERROR(forgotten);
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
