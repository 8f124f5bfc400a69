#include "archive/recovery.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "archive/writer_lock.h"
#include "util/host.h"
#include "util/log.h"

namespace mv::archive {

namespace {

// The keys under `prefix` (after `after`), parsed by `parse`; Corruption names one that is not
// of its shape.
Result<std::vector<RunKeyParts>> ListKeys(store::ObjectStore& store, const std::string& prefix,
                                          std::string_view after,
                                          Result<RunKeyParts> (*parse)(std::string_view)) {
  std::vector<RunKeyParts> runs;
  Status bad;
  MV_RETURN_IF_ERROR(store.ListAll(
      {.prefix = prefix, .start_after = std::string(after)}, [&](const store::ListPage& page) {
        for (const store::ObjectInfo& o : page.objects) {
          Result<RunKeyParts> parts = parse(o.key);
          if (!parts.ok()) {
            bad = Corruption("store " + store.Describe() + ": unexpected object '" + o.key +
                             "' under " + prefix + ": " + parts.status().message());
            return false;
          }
          runs.push_back(std::move(*parts));
        }
        return true;
      }));
  MV_RETURN_IF_ERROR(bad);
  return runs;
}

}  // namespace

Result<std::vector<RunKeyParts>> ListTombstoneKeys(store::ObjectStore& store,
                                                   std::string_view archive,
                                                   std::string_view after) {
  const std::string prefix =
      archive.empty() ? std::string(kTombstonesPrefix) : TombstonesPrefix(archive);
  return ListKeys(store, prefix, after, ParseTombstoneKey);
}

Result<std::vector<Removal>> ListStoredRemovals(store::ObjectStore& store,
                                                const std::set<std::string>& known) {
  std::vector<std::string> keys;
  Status bad;
  MV_RETURN_IF_ERROR(
      store.ListAll({.prefix = std::string(kRemovalsPrefix)}, [&](const store::ListPage& page) {
        for (const store::ObjectInfo& o : page.objects) {
          Result<std::string> id = ParseRemovalKey(o.key);
          if (!id.ok()) {
            bad = Corruption("store " + store.Describe() + ": unexpected object '" + o.key +
                             "': " + id.status().message());
            return false;
          }
          if (!known.contains(*id)) keys.push_back(o.key);
        }
        return true;
      }));
  MV_RETURN_IF_ERROR(bad);
  std::vector<Removal> out;
  for (const std::string& key : keys) {
    MV_ASSIGN_OR_RETURN(std::string text, store.GetBytes(key));
    MV_ASSIGN_OR_RETURN(Removal r, ParseRemoval(text, "store " + store.Describe() + ": " + key));
    if (RemovalKey(r.id) != key) {
      return Corruption("store " + store.Describe() + ": " + key + " holds removal " + r.id);
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<RunKeyParts>> ListStoredRunKeys(store::ObjectStore& store,
                                                   std::string_view archive,
                                                   std::string_view after) {
  const std::string prefix = archive.empty() ? std::string(kRunsPrefix) : RunsPrefix(archive);
  MV_ASSIGN_OR_RETURN(std::vector<RunKeyParts> runs, ListKeys(store, prefix, after, ParseRunKey));
  if (runs.empty()) return runs;
  // A run with a tombstone is deleted, though a deletion cut short may have left its record.
  std::string tombstones_after;
  if (!after.empty() && after.starts_with(kRunsPrefix)) {
    tombstones_after =
        std::string(kTombstonesPrefix) + std::string(after.substr(kRunsPrefix.size()));
  }
  MV_ASSIGN_OR_RETURN(std::vector<RunKeyParts> deleted,
                      ListTombstoneKeys(store, archive, tombstones_after));
  if (deleted.empty()) return runs;
  auto order = [](const RunKeyParts& a, const RunKeyParts& b) {
    return std::tie(a.archive, a.run_id) < std::tie(b.archive, b.run_id);
  };
  std::sort(deleted.begin(), deleted.end(), order);
  std::erase_if(runs, [&](const RunKeyParts& r) {
    return std::binary_search(deleted.begin(), deleted.end(), r, order);
  });
  return runs;
}

Result<StoredRun> ReadStoredRun(store::ObjectStore& store, const RunKeyParts& run) {
  const std::string key = RunKey(run.archive, run.run_id);
  MV_ASSIGN_OR_RETURN(std::string json, store.GetBytes(key));
  MV_ASSIGN_OR_RETURN(RunRecord record, ParseRunRecord(json, key));
  if (record.archive != run.archive || record.run_id != run.run_id) {
    return Corruption("run record " + key + " names " + record.archive + "@" +
                      record.run_id.ToString() + ", not the run of its key");
  }
  return StoredRun{key, std::move(record), std::move(json)};
}

Result<std::vector<StoredRun>> ListStoredRuns(store::ObjectStore& store, std::string_view archive) {
  MV_ASSIGN_OR_RETURN(std::vector<RunKeyParts> keys, ListStoredRunKeys(store, archive));
  std::vector<StoredRun> runs;
  runs.reserve(keys.size());
  for (const RunKeyParts& k : keys) {
    MV_ASSIGN_OR_RETURN(StoredRun run, ReadStoredRun(store, k));
    runs.push_back(std::move(run));
  }
  return runs;
}

Result<RunRows> RowsFromStore(store::ObjectStore& store, const StoredRun& run,
                              std::unordered_set<Sha256, IdHasher>& done, size_t concurrency) {
  std::unordered_map<Sha256, FetchedNode, IdHasher> fetched;
  FetchOptions options{.concurrency = concurrency,
                       .skip = [&](const Sha256& id) { return done.contains(id); }};
  MV_RETURN_IF_ERROR(
      FetchTrees(store, {{run.record.root, ""}}, fetched, options).WithContext("run " + run.key));
  RunRows rows;
  rows.record = run.record;
  rows.record_json = run.json;
  FetchedNodeSource source(fetched);
  std::unordered_set<Sha256, IdHasher> seen_files;
  if (!done.contains(run.record.root)) {
    MV_RETURN_IF_ERROR(WalkTree(
        source, run.record.root,
        [&](const std::string& path, const TreeEntry& e) {
          if (e.type == EntryType::kFile && seen_files.insert(e.hash).second) {
            rows.files.push_back({.sha256 = e.hash,
                                  .sha1 = e.sha1,
                                  .size = e.size,
                                  .first_archive = run.record.archive,
                                  .first_run = run.record.run_id,
                                  .first_path = path});
          }
          return Status::Ok();
        },
        [&](const Sha256& dir) { return done.contains(dir); }));
  }
  rows.nodes.reserve(fetched.size());
  for (auto& [id, f] : fetched) {
    rows.nodes.push_back({id, std::move(f.bytes)});
    done.insert(id);
  }
  // A stable order keeps the transaction's work independent of hash-map order.
  std::sort(rows.nodes.begin(), rows.nodes.end(),
            [](const EncodedNode& a, const EncodedNode& b) { return a.id < b.id; });
  return rows;
}

namespace {

// Records in the catalog one run that the store has and the catalog lacks.
Result<RunRecord> RecoverRun(store::ObjectStore& store, Catalog& catalog, const RunKeyParts& key,
                             size_t concurrency) {
  MV_ASSIGN_OR_RETURN(StoredRun run, ReadStoredRun(store, key));
  // Walk everything: other runs of the catalog may be later than this one, so the first
  // sightings of its files may move to it.
  std::unordered_set<Sha256, IdHasher> done;
  MV_ASSIGN_OR_RETURN(RunRows rows, RowsFromStore(store, run, done, concurrency));
  MV_RETURN_IF_ERROR(catalog.RecordRun(std::move(rows)));
  LogInfo("recovered a committed run missing from the catalog",
          {{"archive", run.record.archive}, {"run", run.record.run_id.ToString()}});
  return std::move(run.record);
}

}  // namespace

Result<std::vector<RunRecord>> RecoverRuns(store::ObjectStore& store, Catalog& catalog,
                                           std::string_view archive, size_t concurrency) {
  MV_ASSIGN_OR_RETURN(std::vector<RunKeyParts> keys, ListStoredRunKeys(store, archive));
  std::vector<RunRecord> added;
  std::string listed_archive;
  std::set<RunId> known;
  for (const RunKeyParts& key : keys) {
    if (key.archive != listed_archive) {
      listed_archive = key.archive;
      known.clear();
      MV_ASSIGN_OR_RETURN(std::vector<RunRow> rows, catalog.ListRuns(key.archive));
      for (const RunRow& r : rows) known.insert(r.run_id);
    }
    if (known.contains(key.run_id)) continue;
    MV_ASSIGN_OR_RETURN(RunRecord record, RecoverRun(store, catalog, key, concurrency));
    added.push_back(std::move(record));
  }
  return added;
}

Result<std::vector<RunRecord>> RecoverRunsAfterLatest(store::ObjectStore& store, Catalog& catalog,
                                                      std::string_view archive,
                                                      size_t concurrency) {
  if (archive.empty()) return RecoverRuns(store, catalog, archive, concurrency);
  MV_ASSIGN_OR_RETURN(std::optional<RunRow> latest, catalog.LatestRun(archive));
  if (!latest) return RecoverRuns(store, catalog, archive, concurrency);
  MV_ASSIGN_OR_RETURN(std::vector<RunKeyParts> keys,
                      ListStoredRunKeys(store, archive, RunKey(archive, latest->run_id)));
  std::vector<RunRecord> added;
  for (const RunKeyParts& key : keys) {
    MV_ASSIGN_OR_RETURN(std::optional<RunRow> there, catalog.GetRun(archive, key.run_id));
    if (there) continue;
    MV_ASSIGN_OR_RETURN(RunRecord record, RecoverRun(store, catalog, key, concurrency));
    added.push_back(std::move(record));
  }
  return added;
}

Result<RebuildSummary> RebuildCatalog(store::ObjectStore& store, Catalog& catalog,
                                      Progress* progress, size_t concurrency) {
  MV_ASSIGN_OR_RETURN(std::vector<StoredRun> stored, ListStoredRuns(store, ""));
  // Global (run id, archive) order: the first run to hold a content is its first sighting.
  std::sort(stored.begin(), stored.end(), [](const StoredRun& a, const StoredRun& b) {
    return std::tie(a.record.run_id, a.record.archive) <
           std::tie(b.record.run_id, b.record.archive);
  });
  MV_ASSIGN_OR_RETURN(std::vector<Removal> removals, ListStoredRemovals(store));
  RebuildSummary summary;
  summary.removals = removals.size();
  std::unordered_set<std::string> archives;
  for (const StoredRun& run : stored) archives.insert(run.record.archive);
  // Every archive idle while its rows are replaced: a run committed meanwhile would be in the
  // store but not in the rebuilt catalog. The writer locks of the store's archives and of the
  // catalog's are taken first (a writer at work is named, and nothing is changed) and held until
  // the transaction has ended.
  std::set<std::string> to_lock(archives.begin(), archives.end());
  MV_ASSIGN_OR_RETURN(std::vector<std::string> cataloged, catalog.ListArchives());
  to_lock.insert(cataloged.begin(), cataloged.end());
  std::vector<std::unique_ptr<WriterLock>> locks;
  for (const std::string& name : to_lock) {
    Result<std::unique_ptr<WriterLock>> lock =
        WriterLock::Acquire(catalog.shared_database(), name,
                            {.owner = "mirrorvault rebuild-catalog host=" + HostName() +
                                      " pid=" + std::to_string(::getpid())});
    if (!lock.ok()) {
      return lock.status().WithContext(
          "rebuild-catalog needs every archive idle (nothing changed)");
    }
    locks.push_back(std::move(*lock));
  }
  if (progress != nullptr) progress->SetTotals(0, stored.size());
  summary.archives = archives.size();
  summary.runs = stored.size();
  // Each run's rows are recorded as soon as they are read, inside the one transaction: memory
  // holds one run's rows and the ids seen so far, not the whole store's (a store of a million
  // files and thousands of runs would not fit); the transaction is held throughout.
  std::unordered_set<Sha256, IdHasher> done;
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, catalog.database().Acquire());
  Status rebuilt =
      db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) -> Status {
        // A retried attempt starts over: what an attempt saw was rolled back with it.
        done.clear();
        summary.files = summary.nodes = 0;
        MV_RETURN_IF_ERROR(Catalog::ClearRebuildable(c));
        for (const StoredRun& run : stored) {
          MV_ASSIGN_OR_RETURN(RunRows rows, RowsFromStore(store, run, done, concurrency));
          summary.files += rows.files.size();
          summary.nodes += rows.nodes.size();
          MV_RETURN_IF_ERROR(Catalog::RecordRunIn(c, rows));
          if (progress != nullptr) progress->Add(0, 1);
        }
        for (const Removal& removal : removals) {
          MV_RETURN_IF_ERROR(Catalog::RecordRemovalIn(c, removal));
        }
        return Catalog::ForgetArchivesWithoutRuns(c);
      });
  MV_RETURN_IF_ERROR(rebuilt);
  return summary;
}

}  // namespace mv::archive
