#include "cli/archive_access.h"

#include <iostream>

#include "archive/node_source.h"
#include "archive/recovery.h"
#include "archive/run_view.h"
#include "archive/writer_lock.h"
#include "db/database.h"
#include "util/units.h"

namespace mv::cli {

Result<ArchiveAccess> OpenArchive(CliContext& context, const std::string& recover_archive,
                                  bool create_store) {
  ArchiveAccess access;
  store::StoreContext store_context = context.store_context();
  store_context.create = create_store;
  MV_ASSIGN_OR_RETURN(access.store, store::OpenStore(context.config().store, store_context));
  MV_ASSIGN_OR_RETURN(std::shared_ptr<db::Database> database,
                      db::OpenDatabase(context.config().catalog,
                                       // One connection per import thread stays open.
                                       {.max_idle_connections = 128}));
  MV_ASSIGN_OR_RETURN(access.catalog, archive::Catalog::Open(database));
  MV_ASSIGN_OR_RETURN(access.packages, pkgindex::PackageIndex::Open(std::move(database)));
  if (!recover_archive.empty()) {
    Result<std::vector<archive::RunRecord>> recovered = archive::RecoverRuns(
        *access.store, *access.catalog, recover_archive == "*" ? "" : recover_archive);
    // An empty store has nothing to recover.
    if (!recovered.ok() && !recovered.status().IsNotFound()) return recovered.status();
  }
  return access;
}

Result<OpenedRun> OpenRun(CliContext& context, const std::string& spec_text) {
  MV_ASSIGN_OR_RETURN(archive::RunSpec spec, archive::ParseRunSpec(spec_text));
  OpenedRun opened;
  MV_ASSIGN_OR_RETURN(opened.access, OpenArchive(context, spec.archive, /*create_store=*/false));
  MV_ASSIGN_OR_RETURN(opened.run, archive::ResolveRun(*opened.access.catalog, spec, SystemClock()));
  opened.source = archive::MakeCachedNodeSource(opened.access.store, opened.access.catalog.get());
  return opened;
}

Result<archive::RunRow> ResolveOtherRun(OpenedRun& opened, const std::string& spec_text) {
  MV_ASSIGN_OR_RETURN(archive::RunSpec spec, archive::ParseRunSpec(spec_text));
  if (spec.archive != opened.run.archive) {
    MV_RETURN_IF_ERROR(
        archive::RecoverRuns(*opened.access.store, *opened.access.catalog, spec.archive).status());
  }
  return archive::ResolveRun(*opened.access.catalog, spec, SystemClock());
}

Status ParseRunIdAndWait(const std::string& run_id, const std::string& wait,
                         std::optional<RunId>* run_id_out, std::chrono::milliseconds* wait_out) {
  if (!run_id.empty()) {
    Result<RunId> id = RunId::Parse(run_id);
    if (!id.ok()) return id.status().WithContext("--run-id");
    *run_id_out = *id;
  }
  Result<std::chrono::milliseconds> parsed = ParseDuration(wait);
  if (!parsed.ok()) return parsed.status().WithContext("--wait");
  *wait_out = *parsed;
  return Status::Ok();
}

Status WithLockWaitHint(Status status) {
  if (!archive::IsWriterLockBusy(status)) return status;
  return Status(status.code(),
                status.message() + "; wait for it to finish, or pass --wait DURATION",
                status.retryable());
}

void PrintPackageIndexOutcome(const importer::IndexOutcome& outcome) {
  if (!outcome.status.ok()) {
    std::cerr << "mirrorvault: warning: the run is committed, but the package index was not "
                 "updated (the next run or rebuild-catalog catches up): "
              << outcome.status.ToString() << "\n";
    return;
  }
  if (!outcome.summary) return;
  const pkgindex::UpdateSummary& s = *outcome.summary;
  std::cout << "package index: " << s.runs_indexed << " run(s) indexed, " << s.presence_opened
            << " package versions appeared, " << s.presence_closed << " disappeared";
  if (!s.skipped.empty()) std::cout << "; " << s.skipped.size() << " unreadable index(es) skipped";
  std::cout << "\n";
  for (const std::string& skipped : s.skipped) {
    std::cerr << "mirrorvault: warning: package index: skipped " << skipped << "\n";
  }
}

}  // namespace mv::cli
