// What every importer shares around a run: at the start, check the store's format, take the
// archive's writer lock, recover a run committed but not yet recorded, and choose the new run's
// id and parent; after the commit, still under the lock, bring the package index up to date.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "archive/catalog.h"
#include "archive/writer_lock.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/run_id.h"

namespace mv::importer {

struct RunStartOptions {
  std::string archive;
  // The run's id; default: `started` (one second after the archive's latest run if that is not
  // later). AlreadyExists when a requested id is taken.
  std::optional<RunId> run_id;
  std::chrono::system_clock::time_point started;
  std::string writer;  // "mirrorvault 0.1.0"; host and pid are added
  std::chrono::milliseconds lock_wait{0};
  Clock* clock = nullptr;
};

struct RunStart {
  std::unique_ptr<archive::WriterLock> lock;
  std::string writer;  // "<writer> host=<host> pid=<pid>", for the run record
  RunId run_id;
  std::optional<archive::RunRow> latest;  // the archive's latest run before this one
  std::optional<archive::RunRow> parent;  // the latest run older than run_id
  // The run is older than the archive's latest: contents it holds may be first seen here.
  bool back_dated = false;
};

Result<RunStart> StartRun(store::ObjectStore& store, archive::Catalog& catalog,
                          const RunStartOptions& options);

// The package index after a commit: every run of `archive` it lacks is indexed. The run is
// committed whatever happens here; a failure is returned for the caller to report (the next
// update, or rebuild-catalog, catches up).
struct IndexOutcome {
  std::optional<pkgindex::UpdateSummary> summary;
  Status status;
};
IndexOutcome UpdatePackageIndex(pkgindex::PackageIndex* index,
                                std::shared_ptr<store::ObjectStore> store,
                                archive::Catalog& catalog, const std::string& archive);

}  // namespace mv::importer
