#include "retention/run_deletion.h"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "archive/ids.h"
#include "archive/recovery.h"
#include "archive/tombstone.h"
#include "archive/writer_lock.h"
#include "db/database.h"
#include "util/host.h"
#include "util/log.h"
#include "util/time_format.h"

namespace mv::retention {
namespace {

struct Planned {
  DeletedRun run;
  bool has_tombstone = false;
};

// What the store says of one run: its record (and whether a tombstone exists already), or its
// tombstone's copy of the record when only that is left; nullopt when neither is there.
Result<std::optional<Planned>> Plan(store::ObjectStore& store, archive::Catalog& catalog,
                                    const std::string& archive, const RunId& run_id) {
  const std::string record_key = archive::RunKey(archive, run_id);
  const std::string tombstone_key = archive::TombstoneKey(archive, run_id);
  Result<std::string> tombstone_text = store.GetBytes(tombstone_key);
  if (tombstone_text.ok()) {
    MV_ASSIGN_OR_RETURN(archive::RunTombstone tombstone,
                        archive::ParseTombstone(*tombstone_text, tombstone_key));
    MV_ASSIGN_OR_RETURN(std::optional<archive::RunRow> row, catalog.GetRun(archive, run_id));
    Result<store::ObjectInfo> record = store.Head(record_key);
    if (!record.ok() && record.status().code() != StatusCode::kNotFound) return record.status();
    const bool left = row.has_value() || record.ok();
    return std::optional<Planned>(Planned{{std::move(tombstone.record), left, !left}, true});
  }
  if (tombstone_text.status().code() != StatusCode::kNotFound) return tombstone_text.status();
  Result<std::string> record_text = store.GetBytes(record_key);
  if (record_text.status().code() == StatusCode::kNotFound) return std::optional<Planned>();
  MV_RETURN_IF_ERROR(record_text.status());
  MV_ASSIGN_OR_RETURN(archive::RunRecord record, archive::ParseRunRecord(*record_text, record_key));
  return std::optional<Planned>(Planned{{std::move(record), false, false}, false});
}

// The deletion of one planned run, in the order that makes it safe to cut short anywhere: the
// tombstone (durable: the commit point), the catalog rows in one transaction, the record.
Status DeleteOne(store::ObjectStore& store, archive::Catalog& catalog, archive::WriterLock& lock,
                 const Planned& planned, const DeleteOptions& options, Clock& clock) {
  const archive::RunRecord& record = planned.run.record;
  const std::string name = record.archive + "@" + record.run_id.ToString();
  if (!planned.has_tombstone) {
    archive::RunTombstone tombstone{.record = record,
                                    .deleted = FormatRfc3339(clock.Now()),
                                    .deleted_by = options.who,
                                    .reason = options.reason};
    MV_RETURN_IF_ERROR(lock.Confirm());
    Status put = store.PutBytes(archive::TombstoneKey(record.archive, record.run_id),
                                archive::EncodeTombstone(tombstone),
                                {.if_absent = true, .content_type = "application/json"});
    if (!put.ok() && !put.IsPreconditionFailed()) {
      return put.WithContext("writing the tombstone of " + name + " (nothing deleted)");
    }
  }
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, catalog.database().Acquire());
  Status forgotten =
      db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) -> Status {
        MV_RETURN_IF_ERROR(
            archive::Catalog::ForgetRunIn(c, record.archive, record.run_id).status());
        return pkgindex::PackageIndex::ForgetRunIn(c, record.archive, record.run_id).status();
      });
  if (!forgotten.ok()) {
    return forgotten.WithContext("forgetting " + name +
                                 " in the catalog (its tombstone is written: deleting it again "
                                 "finishes the deletion)");
  }
  Status removed = store.Delete(archive::RunKey(record.archive, record.run_id));
  if (!removed.ok() && removed.code() != StatusCode::kNotFound) {
    return removed.WithContext("removing the run record of " + name +
                               " (the run is deleted; deleting it again removes the record)");
  }
  LogInfo("run deleted", {{"run", name}, {"by", options.who}, {"reason", options.reason}});
  if (options.on_deleted) {
    if (Status noted = options.on_deleted(record); !noted.ok()) {
      LogWarn("a deleted run could not be noted", {{"run", name}, {"error", noted.ToString()}});
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<archive::WriterLock>> Lock(archive::Catalog& catalog,
                                                  const std::string& archive,
                                                  const DeleteOptions& options) {
  return archive::WriterLock::Acquire(
      catalog.shared_database(), archive,
      {.owner = "mirrorvault run deletion (" + options.who + ") host=" + HostName() +
                " pid=" + std::to_string(::getpid()),
       .wait = options.wait,
       .clock = options.clock});
}

}  // namespace

Result<std::vector<DeletedRun>> DeleteRuns(store::ObjectStore& store, archive::Catalog& catalog,
                                           pkgindex::PackageIndex& /*packages: its tables exist*/,
                                           const std::string& archive, std::vector<RunId> runs,
                                           const DeleteOptions& options) {
  MV_RETURN_IF_ERROR(archive::ValidateArchiveName(archive));
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  std::sort(runs.begin(), runs.end());
  runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
  std::unique_ptr<archive::WriterLock> lock;
  if (!options.dry_run) {
    MV_ASSIGN_OR_RETURN(lock, Lock(catalog, archive, options));
  }
  std::vector<Planned> plans;
  for (const RunId& run_id : runs) {
    MV_ASSIGN_OR_RETURN(std::optional<Planned> planned, Plan(store, catalog, archive, run_id));
    if (!planned) {
      return NotFound("no run " + archive + "@" + run_id.ToString() + " in " + store.Describe() +
                      " (nothing was deleted)");
    }
    plans.push_back(std::move(*planned));
  }
  std::vector<DeletedRun> deleted;
  for (const Planned& planned : plans) {
    if (!options.dry_run && !planned.run.already_deleted) {
      MV_RETURN_IF_ERROR(DeleteOne(store, catalog, *lock, planned, options, clock));
    }
    deleted.push_back(planned.run);
  }
  if (lock) MV_RETURN_IF_ERROR(lock->Release());
  return deleted;
}

Result<std::vector<DeletedRun>> FinishDeletions(store::ObjectStore& store,
                                                archive::Catalog& catalog,
                                                pkgindex::PackageIndex& packages,
                                                const std::string& archive,
                                                const DeleteOptions& options) {
  MV_ASSIGN_OR_RETURN(std::vector<archive::RunKeyParts> tombstones,
                      archive::ListTombstoneKeys(store, archive));
  std::vector<RunId> unfinished;
  for (const archive::RunKeyParts& t : tombstones) {
    MV_ASSIGN_OR_RETURN(std::optional<archive::RunRow> row, catalog.GetRun(archive, t.run_id));
    bool record_left = false;
    if (!row) {
      Result<store::ObjectInfo> info = store.Head(archive::RunKey(archive, t.run_id));
      if (!info.ok() && info.status().code() != StatusCode::kNotFound) return info.status();
      record_left = info.ok();
    }
    if (row || record_left) unfinished.push_back(t.run_id);
  }
  if (unfinished.empty()) return std::vector<DeletedRun>();
  return DeleteRuns(store, catalog, packages, archive, std::move(unfinished), options);
}

}  // namespace mv::retention
