// Deleting runs (`mirrorvault runs rm`, and the retention policy's prune): a run's tombstone
// written to the store, the catalog and package index made to forget it, then its run record
// removed (docs/store-format.md, "Deleted runs"). Its trees and blobs stay until gc.
//
// Under the archive's writer lock, so a deletion never interleaves with an import, a mirror or
// another deletion of that archive. The tombstone is the commit point: a run with one is deleted
// for every reader of the store (archive/recovery.h lists no such run, so recovery never adds it
// back, and a commit refuses its id). A deletion cut short at any moment (a crash, SIGKILL) leaves
// the tombstone and perhaps the catalog row or the record: deleting the run again finishes it,
// and FinishDeletions does so for every run of an archive.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "archive/catalog.h"
#include "archive/run_record.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/run_id.h"
#include "util/status.h"

namespace mv::retention {

struct DeleteOptions {
  std::string who;       // for the tombstone: "alice@host (cli)", "retention policy"
  std::string reason;    // for the tombstone ("" when none)
  bool dry_run = false;  // only check that each run exists, and say what would be deleted
  std::chrono::milliseconds wait{0};  // how long to wait for the archive's writer lock
  Clock* clock = nullptr;             // SystemClock() when null
  // Called after each run is deleted (the audit log); its failure is logged, not returned.
  std::function<Status(const archive::RunRecord&)> on_deleted;
};

struct DeletedRun {
  archive::RunRecord record;
  // A deletion cut short before (the tombstone was there): this one finished it.
  bool finished_earlier_deletion = false;
  // Deleted before, wholly: nothing was done.
  bool already_deleted = false;
};

// Deletes runs of `archive`, oldest first, each whole before the next. NotFound names a run that
// neither the store has nor a tombstone names (nothing is deleted then: every run is checked
// before the first is touched). Unavailable names the writer that holds the archive's lock.
Result<std::vector<DeletedRun>> DeleteRuns(store::ObjectStore& store, archive::Catalog& catalog,
                                           pkgindex::PackageIndex& packages,
                                           const std::string& archive, std::vector<RunId> runs,
                                           const DeleteOptions& options);

// Finishes every deletion of `archive` that was cut short: each run with a tombstone whose record
// is still in the store or whose row is still in the catalog. One listing of the archive's
// tombstones. The runs finished.
Result<std::vector<DeletedRun>> FinishDeletions(store::ObjectStore& store,
                                                archive::Catalog& catalog,
                                                pkgindex::PackageIndex& packages,
                                                const std::string& archive,
                                                const DeleteOptions& options);

}  // namespace mv::retention
