#include "retention/prune.h"

namespace mv::retention {

Result<PruneSummary> PruneRuns(store::ObjectStore& store, archive::Catalog& catalog,
                               pkgindex::PackageIndex& packages, const std::string& archive,
                               const RetentionPolicy& policy, const DeleteOptions& options) {
  PruneSummary summary;
  if (!options.dry_run) {
    MV_ASSIGN_OR_RETURN(summary.finished,
                        FinishDeletions(store, catalog, packages, archive, options));
  }
  MV_ASSIGN_OR_RETURN(std::vector<archive::RunRow> rows, catalog.ListRuns(archive));
  std::vector<RunId> runs;
  runs.reserve(rows.size());
  for (const archive::RunRow& r : rows) runs.push_back(r.run_id);
  summary.decisions = ApplyRetentionPolicy(std::move(runs), policy);
  std::vector<RunId> doomed;
  for (const RetentionDecision& d : summary.decisions) {
    if (!d.keep) doomed.push_back(d.run);
  }
  if (doomed.empty()) return summary;
  MV_ASSIGN_OR_RETURN(summary.deleted,
                      DeleteRuns(store, catalog, packages, archive, std::move(doomed), options));
  return summary;
}

}  // namespace mv::retention
