// `mirrorvault rebuild-catalog`: the catalog again, from the store alone.
#include <iostream>

#include "archive/commit.h"
#include "archive/recovery.h"
#include "cli/archive_access.h"

namespace mv::cli {
namespace {

struct RebuildArgs {
  bool no_progress = false;
};

int RunRebuild(CliContext& context, const RebuildArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  if (Status st = archive::CheckStoreFormat(*access->store, /*create=*/false); !st.ok()) {
    return ReportError(st);
  }
  Progress progress({.label = "rebuild-catalog",
                     .items_name = "runs",
                     .display = args.no_progress ? ProgressDisplay::kOff : ProgressDisplay::kAuto});
  Result<archive::RebuildSummary> summary =
      archive::RebuildCatalog(*access->store, *access->catalog, &progress);
  progress.Finish();
  if (!summary.ok()) return ReportError(summary.status());
  std::cout << "rebuilt catalog " << access->catalog->Describe() << " from "
            << access->store->Describe() << ": " << summary->archives << " archives, "
            << summary->runs << " runs, " << summary->files << " distinct files, "
            << summary->nodes << " tree nodes\n";
  return kExitOk;
}

}  // namespace

void RegisterRebuildCatalog(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<RebuildArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rebuild-catalog", "Recreate the catalog's archive tables from the store alone");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->callback([args, &context, exit_code] { *exit_code = RunRebuild(context, *args); });
}

}  // namespace mv::cli
