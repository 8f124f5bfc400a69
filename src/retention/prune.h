// `mirrorvault runs prune`: an archive's retention policy applied to its runs, the runs it does
// not keep deleted (retention/run_deletion.h), and deletions cut short before finished.
#pragma once

#include <string>
#include <vector>

#include "retention/retention_policy.h"
#include "retention/run_deletion.h"

namespace mv::retention {

struct PruneSummary {
  std::vector<RetentionDecision> decisions;  // every run of the archive, newest first
  std::vector<DeletedRun> deleted;           // with dry_run: what would be deleted
  std::vector<DeletedRun> finished;          // deletions cut short earlier, finished now
};

// Applies `policy` to the catalog's runs of `archive` (open it with recovery first) and deletes
// those it does not keep; with options.dry_run only decides. A policy that keeps everything
// deletes nothing.
Result<PruneSummary> PruneRuns(store::ObjectStore& store, archive::Catalog& catalog,
                               pkgindex::PackageIndex& packages, const std::string& archive,
                               const RetentionPolicy& policy, const DeleteOptions& options);

}  // namespace mv::retention
