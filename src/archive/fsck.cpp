#include "archive/fsck.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "archive/recovery.h"
#include "archive/tombstone.h"
#include "archive/tree_fetch.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/log.h"
#include "util/task_group.h"

namespace mv::archive {
namespace {

class Sha256Writer final : public Writer {
 public:
  Status Write(std::string_view data) override {
    hasher_.Update(data);
    return Status::Ok();
  }
  std::string FinishHex() { return hasher_.FinishHex(); }

 private:
  Sha256Hasher hasher_;
};

struct BlobUse {
  uint64_t size = 0;
  std::string where;  // first path that names it
};

}  // namespace

Result<FsckReport> Fsck(store::ObjectStore& store, Catalog* catalog, const FsckOptions& options,
                        Progress* progress) {
  FsckReport report;
  auto problem = [&](std::string where, std::string what) {
    report.problems.push_back({std::move(where), std::move(what)});
  };

  // The catalog's runs first: the protocol writes a run's record before its catalog row, so a run
  // committed while fsck lists the store shows up as a note, never as a missing record.
  std::vector<RunRow> catalog_runs;
  const bool incremental = catalog != nullptr && !options.full;
  std::unordered_set<std::string> verified_runs;  // run keys an earlier pass verified
  if (catalog != nullptr) {
    MV_ASSIGN_OR_RETURN(std::vector<std::string> archives, catalog->ListArchives());
    for (const std::string& a : archives) {
      MV_ASSIGN_OR_RETURN(std::vector<RunRow> rows, catalog->ListRunsAfter(a, std::nullopt));
      catalog_runs.insert(catalog_runs.end(), rows.begin(), rows.end());
    }
    if (incremental) {
      MV_ASSIGN_OR_RETURN(auto verified, catalog->VerifiedRuns(options.deep));
      for (const auto& [archive, run_id] : verified) verified_runs.insert(RunKey(archive, run_id));
    } else {
      MV_RETURN_IF_ERROR(catalog->ForgetVerified());
    }
  }

  // Runs: every record under runs/, parsed one by one so that one bad record is one problem.
  std::vector<std::string> run_keys;
  MV_RETURN_IF_ERROR(
      store.ListAll({.prefix = std::string(kRunsPrefix)}, [&](const store::ListPage& page) {
        for (const auto& o : page.objects) run_keys.push_back(o.key);
        return true;
      }));
  // Deleted runs: every tombstone read and checked; a run with one is not checked (its objects
  // may be collected), and its record or catalog row left by a deletion cut short is a note.
  std::vector<std::string> tombstone_keys;
  MV_RETURN_IF_ERROR(
      store.ListAll({.prefix = std::string(kTombstonesPrefix)}, [&](const store::ListPage& page) {
        for (const auto& o : page.objects) tombstone_keys.push_back(o.key);
        return true;
      }));
  std::unordered_set<std::string> deleted;  // run keys
  for (const std::string& key : tombstone_keys) {
    Result<RunKeyParts> parts = ParseTombstoneKey(key);
    if (!parts.ok()) {
      problem(key, "not a tombstone key: " + parts.status().message());
      continue;
    }
    deleted.insert(RunKey(parts->archive, parts->run_id));
    ++report.runs_deleted;
    Result<std::string> text = store.GetBytes(key);
    if (!text.ok()) {
      problem(key, "cannot read: " + text.status().ToString());
      continue;
    }
    Result<RunTombstone> tombstone = ParseTombstone(*text, key);
    if (!tombstone.ok()) {
      problem(key, tombstone.status().message());
    } else if (tombstone->record.archive != parts->archive ||
               tombstone->record.run_id != parts->run_id) {
      problem(key, "the tombstone names " + tombstone->record.archive + "@" +
                       tombstone->record.run_id.ToString());
    }
  }

  // Removals: their blobs are expected to be absent; one still present is a removal cut short.
  std::unordered_map<std::string, std::string> withdrawn;  // blob key -> removal id
  if (Result<std::vector<Removal>> removals = ListStoredRemovals(store); !removals.ok()) {
    problem(std::string(kRemovalsPrefix), removals.status().message());
  } else {
    report.removals = removals->size();
    for (const Removal& r : *removals) {
      for (const RemovedFile& f : r.files) withdrawn.emplace(BlobKey(f.sha256), r.id);
    }
  }

  std::vector<StoredRun> runs;
  std::unordered_map<std::string, std::string> in_store;  // run key -> "archive@run"
  for (const std::string& key : run_keys) {
    Result<RunKeyParts> parts = ParseRunKey(key);
    if (!parts.ok()) {
      problem(key, "not a run record key: " + parts.status().message());
      continue;
    }
    if (deleted.contains(key)) {
      report.notes.push_back(parts->archive + "@" + parts->run_id.ToString() +
                             " is deleted (it has a tombstone) but its record is still in the "
                             "store: `mirrorvault runs rm` of it finishes the deletion");
      continue;
    }
    ++report.runs;
    in_store.emplace(key, parts->archive + "@" + parts->run_id.ToString());
    if (verified_runs.contains(key)) {
      ++report.runs_verified_before;
      continue;
    }
    Result<std::string> json = store.GetBytes(key);
    if (!json.ok()) {
      problem(key, "cannot read: " + json.status().ToString());
      continue;
    }
    Result<RunRecord> record = ParseRunRecord(*json, key);
    if (!record.ok()) {
      problem(key, record.status().message());
      continue;
    }
    if (record->archive != parts->archive || record->run_id != parts->run_id) {
      problem(key, "the record names " + record->archive + "@" + record->run_id.ToString());
      continue;
    }
    runs.push_back({key, std::move(*record), std::move(*json)});
  }

  // Trees: every node reachable from every run to check, each fetched once; incrementally, not
  // beneath a directory an earlier pass verified.
  std::unordered_map<Sha256, bool, IdHasher> dir_verified;  // the catalog's answers, remembered
  auto verified_before = [&](const Sha256& id) {
    if (!incremental) return false;
    auto it = dir_verified.find(id);
    if (it != dir_verified.end()) return it->second;
    Result<std::vector<bool>> v = catalog->VerifiedDirs({&id, 1}, options.deep);
    const bool yes = v.ok() && v->front();  // a catalog failure checks the directory again
    dir_verified.emplace(id, yes);
    return yes;
  };
  std::unordered_map<Sha256, FetchedNode, IdHasher> nodes;
  std::map<std::string, BlobUse> blobs;  // key -> use
  if (progress != nullptr) progress->SetTotals(0, runs.size());
  // Nodes already fetched (for an earlier run) are not fetched again; a node's path is where it
  // was first reached: "debian@20240101T000000Z:/pool/main".
  for (const StoredRun& run : runs) {
    const std::string run_name = run.record.archive + "@" + run.record.run_id.ToString() + ":";
    FetchOptions fetch{
        .concurrency = options.concurrency,
        .skip = verified_before,
        .on_problem = [&](const Sha256& id, const std::string& path, const Status& st) {
          problem(path + (path.ends_with(':') ? "/" : ""),
                  "tree node " + TreeKey(id) + ": " + st.ToString());
          return Status::Ok();
        }};
    MV_RETURN_IF_ERROR(FetchTrees(store, {{run.record.root, run_name}}, nodes, fetch));
    if (progress != nullptr) progress->Add(0, 1);
  }
  for (const auto& [id, f] : nodes) {
    for (const TreeEntry& e : f.node.entries) {
      if (e.type != EntryType::kFile) continue;
      std::string key = BlobKey(e.hash);
      std::string path = f.path + "/" + e.name;
      auto [it, inserted] = blobs.try_emplace(key, BlobUse{e.size, path});
      if (!inserted && it->second.size != e.size) {
        problem(path, "size " + std::to_string(e.size) + " differs from " +
                          std::to_string(it->second.size) + " at " + it->second.where +
                          " for the same content");
      }
    }
  }
  report.nodes = nodes.size();
  report.blobs = blobs.size();

  // Blobs present: one HEAD each when they are few, else one listing of blobs/.
  std::unordered_map<std::string, uint64_t> blob_sizes;
  std::unordered_set<std::string> unchecked;  // the store could not say (reported already)
  if (incremental && blobs.size() <= options.head_each_up_to) {
    std::vector<const std::pair<const std::string, BlobUse>*> todo;
    for (const auto& entry : blobs) todo.push_back(&entry);
    std::mutex mu;
    MV_RETURN_IF_ERROR(ParallelFor(
        todo.size(),
        [&](size_t i) {
          const auto& [key, use] = *todo[i];
          Result<store::ObjectInfo> info = store.Head(key);
          std::lock_guard lock(mu);
          if (info.ok()) {
            blob_sizes.emplace(key, info->size);
          } else if (info.status().code() != StatusCode::kNotFound) {
            problem(use.where, "blob " + key + ": cannot check: " + info.status().ToString());
            unchecked.insert(key);  // one problem, not a second one for "missing" or --deep
          }
          return Status::Ok();
        },
        {.max_in_flight = options.concurrency}));
  } else {
    MV_RETURN_IF_ERROR(
        store.ListAll({.prefix = std::string(kBlobsPrefix)}, [&](const store::ListPage& page) {
          for (const auto& o : page.objects) blob_sizes.emplace(o.key, o.size);
          return true;
        }));
  }

  for (const auto& [key, use] : blobs) {
    if (unchecked.contains(key)) continue;
    auto it = blob_sizes.find(key);
    if (auto w = withdrawn.find(key); w != withdrawn.end()) {
      if (it == blob_sizes.end()) {
        ++report.blobs_withdrawn;
      } else {
        report.notes.push_back("blob " + key + " was withdrawn by removal " + w->second +
                               " but is still in the store: `mirrorvault remove --finish` "
                               "deletes it");
      }
      continue;
    }
    if (it == blob_sizes.end()) {
      problem(use.where, "blob " + key + " is missing");
    } else if (it->second != use.size) {
      problem(use.where, "blob " + key + " has " + std::to_string(it->second) +
                             " bytes, the tree says " + std::to_string(use.size));
    }
  }

  if (options.deep) {
    std::vector<const std::pair<const std::string, BlobUse>*> todo;
    for (const auto& entry : blobs) {
      if (blob_sizes.contains(entry.first)) todo.push_back(&entry);
    }
    std::mutex mu;
    if (progress != nullptr) {
      uint64_t total = 0;
      for (const auto* e : todo) total += e->second.size;
      progress->SetTotals(total, todo.size());
    }
    MV_RETURN_IF_ERROR(ParallelFor(todo.size(),
                                   [&](size_t i) {
                                     const auto& [key, use] = *todo[i];
                                     Sha256Writer hasher;
                                     Status st = store.Get(key, hasher, {.size_hint = use.size});
                                     std::lock_guard lock(mu);
                                     if (!st.ok()) {
                                       problem(use.where, "blob " + key + ": " + st.ToString());
                                     } else {
                                       std::string hex = hasher.FinishHex();
                                       if (key.substr(key.size() - 64) != hex) {
                                         problem(use.where,
                                                 "blob " + key + " has contents hashing to " + hex);
                                       }
                                       report.bytes_hashed += use.size;
                                     }
                                     if (progress != nullptr) progress->Add(use.size, 1);
                                     return Status::Ok();
                                   },
                                   {.max_in_flight = options.concurrency}));
  }

  // The catalog against the store.
  if (catalog != nullptr) {
    std::unordered_set<std::string> in_catalog;
    for (const RunRow& r : catalog_runs) {
      std::string key = RunKey(r.archive, r.run_id);
      in_catalog.insert(key);
      if (deleted.contains(key)) {
        report.notes.push_back(r.archive + "@" + r.run_id.ToString() +
                               " is deleted (it has a tombstone) but still in the catalog: "
                               "`mirrorvault runs rm` of it finishes the deletion");
      } else if (!in_store.contains(key)) {
        problem(r.archive + "@" + r.run_id.ToString(),
                "the catalog lists this run but the store has no record " + key);
      }
    }
    // Every run record listed, verified before or not: a run recovery has not added yet is
    // noted at every pass until it is added.
    std::vector<std::string> missing;
    for (const auto& [key, name] : in_store) {
      if (!in_catalog.contains(key)) missing.push_back(name);
    }
    std::sort(missing.begin(), missing.end());
    for (const std::string& name : missing) {
      report.notes.push_back(name +
                             " is committed in the store and not yet in the catalog "
                             "(recovery adds it when the archive is next opened)");
    }
  }

  // A clean pass is remembered: its runs, and every directory it checked (each whole beneath,
  // down to directories verified before).
  if (catalog != nullptr && report.problems.empty()) {
    std::vector<std::pair<std::string, RunId>> checked_runs;
    std::vector<Sha256> dirs;
    for (const StoredRun& run : runs) {
      checked_runs.emplace_back(run.record.archive, run.record.run_id);
      if (nodes.contains(run.record.root)) dirs.push_back(run.record.root);
    }
    for (const auto& [id, f] : nodes) {
      for (const TreeEntry& e : f.node.entries) {
        if (e.type == EntryType::kDirectory && nodes.contains(e.hash)) dirs.push_back(e.hash);
      }
    }
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
    // Remembering is an optimisation: failing to, the pass's findings stand.
    if (Status st = catalog->RecordVerified(checked_runs, dirs, options.deep); !st.ok()) {
      LogWarn("fsck: could not record what this pass verified (the next pass checks it again)",
              {{"error", st.ToString()}});
    }
  }
  return report;
}

}  // namespace mv::archive
