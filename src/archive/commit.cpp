#include "archive/commit.h"

#include <algorithm>

#include "util/log.h"
#include "util/task_group.h"
#include "util/time_format.h"

namespace mv::archive {

Status CheckStoreFormat(store::ObjectStore& store, bool create) {
  Result<std::string> found = store.GetBytes(std::string(kFormatKey));
  if (found.ok()) {
    if (*found == kFormatContents) return Status::Ok();
    std::string shown = found->substr(0, 64);
    while (!shown.empty() && shown.back() == '\n') shown.pop_back();
    return InvalidArgument(
        "store " + store.Describe() + " holds format '" + shown + "'; this mirrorvault reads '" +
        std::string(kFormatContents.substr(0, kFormatContents.size() - 1)) + "'");
  }
  if (!found.status().IsNotFound()) {
    return found.status().WithContext("reading the format of " + store.Describe());
  }
  if (!create) {
    return NotFound("store " + store.Describe() +
                    " holds no archive (no 'format' object); import something first");
  }
  Status st = store.PutBytes(std::string(kFormatKey), kFormatContents,
                             {.if_absent = true, .content_type = "text/plain"});
  if (st.IsPreconditionFailed()) return CheckStoreFormat(store, false);  // a racing writer
  return st;
}

Result<RunRecord> CommitRun(store::ObjectStore& store, Catalog& catalog, WriterLock& lock,
                            CommitInput input, const CommitOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  RunRows rows;
  const auto started = clock.SteadyNow();
  auto ms_since = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - t);
  };
  // Step 2: tree nodes, leaves first; those the catalog caches are in the store already.
  for (std::vector<EncodedNode>& level : input.tree.levels) {
    std::vector<Sha256> ids;
    ids.reserve(level.size());
    for (const EncodedNode& n : level) ids.push_back(n.id);
    MV_ASSIGN_OR_RETURN(std::vector<bool> cached, catalog.HasNodes(ids));
    std::vector<size_t> missing;
    for (size_t i = 0; i < level.size(); ++i) {
      if (!cached[i]) missing.push_back(i);
    }
    MV_RETURN_IF_ERROR(ParallelFor(missing.size(),
                                   [&](size_t k) {
                                     const EncodedNode& n = level[missing[k]];
                                     return store.PutBytes(
                                         TreeKey(n.id), n.bytes,
                                         {.expected_sha256 = ToHex(n.id), .defer_sync = true});
                                   },
                                   {.max_in_flight = options.concurrency}));
    for (size_t i : missing) rows.nodes.push_back(std::move(level[i]));
  }

  // Step 3: the commit point.
  RunRecord& record = input.record;
  record.root = input.tree.root;
  record.files = input.tree.files;
  record.bytes = input.tree.bytes;
  record.committed = FormatRfc3339(clock.Now());
  rows.record_json = EncodeRunRecord(record);
  const std::string key = RunKey(record.archive, record.run_id);
  const auto nodes_ms = ms_since(started);
  const auto sync_started = clock.SteadyNow();
  // Every blob and node the record names is durable before the record exists.
  if (input.blobs_sync.valid()) {
    MV_RETURN_IF_ERROR(input.blobs_sync.get().WithContext("making the run's blobs durable"));
  }
  MV_RETURN_IF_ERROR(store.Sync().WithContext("making the run's objects durable"));
  const auto sync_ms = ms_since(sync_started);
  MV_RETURN_IF_ERROR(lock.Confirm());
  // A deleted run's id is not taken again (deletions also run under the writer lock): its
  // tombstone would delete the new run.
  const std::string tombstone = TombstoneKey(record.archive, record.run_id);
  Result<store::ObjectInfo> deleted = store.Head(tombstone);
  if (deleted.ok()) {
    return AlreadyExists("run " + record.archive + "@" + record.run_id.ToString() +
                         " was deleted (" + tombstone + " in " + store.Describe() +
                         "); choose another run id");
  }
  if (deleted.status().code() != StatusCode::kNotFound) {
    return deleted.status().WithContext("checking for a tombstone at " + tombstone +
                                        " (the run is not committed)");
  }
  Status put = store.PutBytes(key, rows.record_json,
                              {.if_absent = true, .content_type = "application/json"});
  if (put.IsPreconditionFailed()) {
    return AlreadyExists("run " + record.archive + "@" + record.run_id.ToString() +
                         " exists already in " + store.Describe() + "; choose another run id");
  }
  if (!put.ok()) {
    // An ambiguous failure: the record may be there whole (only the answer was lost), torn (a
    // store that does not verify), or absent. Under the writer lock, whatever is at the key is
    // this import's own attempt.
    Result<std::string> there = store.GetBytes(key);
    if (there.ok() && *there == rows.record_json) {
      LogWarn("the run record was written although its upload reported a failure",
              {{"key", key}, {"error", put.ToString()}});
    } else {
      if (there.ok()) store.Delete(key).IgnoreError();  // torn: not a commit
      return put.WithContext("writing the run record " + key + " (the run is not committed)");
    }
  }

  // Step 4.
  rows.record = record;
  rows.files = std::move(input.files);
  rows.stat_cache = std::move(input.stat_cache);
  const size_t new_nodes = rows.nodes.size();
  const auto catalog_started = clock.SteadyNow();
  Status recorded = catalog.RecordRun(std::move(rows));
  LogDebug("commit phases", {{"run", record.archive + "@" + record.run_id.ToString()},
                             {"nodes", nodes_ms},
                             {"new_nodes", new_nodes},
                             {"sync", sync_ms},
                             {"catalog", ms_since(catalog_started)}});
  if (!recorded.ok()) {
    // The store has a run the catalog lacks: the next writer must look at every run, not only at
    // those after the catalog's latest (archive/recovery.h), as after a crash.
    lock.Abandon();
    return recorded.WithContext("run " + record.archive + "@" + record.run_id.ToString() +
                                " is committed in the store but the catalog " + catalog.Describe() +
                                " could not record it (the next import or `mirrorvault runs` "
                                "adds it back)");
  }
  return record;
}

}  // namespace mv::archive
