#include "importer/run_start.h"

#include <unistd.h>

#include "archive/commit.h"
#include "archive/node_source.h"
#include "archive/recovery.h"
#include "util/host.h"
#include "util/log.h"

namespace mv::importer {
Result<RunStart> StartRun(store::ObjectStore& store, archive::Catalog& catalog,
                          const RunStartOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  MV_RETURN_IF_ERROR(archive::ValidateArchiveName(options.archive));
  MV_RETURN_IF_ERROR(archive::CheckStoreFormat(store, /*create=*/true));
  RunStart start;
  start.writer = (options.writer.empty() ? "mirrorvault" : options.writer) + " host=" + HostName() +
                 " pid=" + std::to_string(::getpid());
  MV_ASSIGN_OR_RETURN(start.lock,
                      archive::WriterLock::Acquire(
                          catalog.shared_database(), options.archive,
                          {.owner = start.writer, .wait = options.lock_wait, .clock = &clock}));
  // A run committed but not recorded is after the catalog's latest unless its writer died (or
  // abandoned the lock) with a back-dated run: then every run is looked at.
  MV_RETURN_IF_ERROR((start.lock->previous_holder_died()
                          ? archive::RecoverRuns(store, catalog, options.archive)
                          : archive::RecoverRunsAfterLatest(store, catalog, options.archive))
                         .status());

  MV_ASSIGN_OR_RETURN(start.latest, catalog.LatestRun(options.archive));
  if (options.run_id) {
    start.run_id = *options.run_id;
    MV_ASSIGN_OR_RETURN(std::optional<archive::RunRow> exists,
                        catalog.GetRun(options.archive, start.run_id));
    if (exists) {
      return AlreadyExists("run " + options.archive + "@" + start.run_id.ToString() +
                           " exists already; choose another run id");
    }
  } else {
    MV_ASSIGN_OR_RETURN(start.run_id, RunId::FromTimePoint(options.started));
    if (start.latest && start.latest->run_id >= start.run_id) {
      MV_ASSIGN_OR_RETURN(start.run_id, RunId::FromTimePoint(start.latest->run_id.ToTimePoint() +
                                                             std::chrono::seconds(1)));
    }
  }
  start.back_dated = start.latest && start.latest->run_id > start.run_id;
  MV_ASSIGN_OR_RETURN(start.parent, catalog.RunBefore(options.archive, start.run_id));
  return start;
}

IndexOutcome UpdatePackageIndex(pkgindex::PackageIndex* index,
                                std::shared_ptr<store::ObjectStore> store,
                                archive::Catalog& catalog, const std::string& archive) {
  IndexOutcome out;
  if (index == nullptr) return out;
  std::unique_ptr<archive::NodeSource> nodes = archive::MakeCachedNodeSource(store, &catalog);
  Result<pkgindex::UpdateSummary> updated = index->Update(*store, catalog, *nodes, archive);
  if (!updated.ok()) {
    out.status = updated.status();
    LogWarn("the package index was not updated; the run is committed",
            {{"archive", archive}, {"error", updated.status().ToString()}});
    return out;
  }
  for (const std::string& s : updated->skipped) {
    LogWarn("package index: skipped", {{"what", s}});
  }
  out.summary = std::move(*updated);
  return out;
}

}  // namespace mv::importer
