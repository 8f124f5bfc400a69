// `mirrorvault rebuild-catalog`: the catalog again, from the store alone.
#include <iostream>

#include "archive/commit.h"
#include "archive/node_source.h"
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
  std::unique_ptr<archive::NodeSource> nodes =
      archive::MakeCachedNodeSource(access->store, access->catalog.get());
  Result<pkgindex::UpdateSummary> packages =
      access->packages->Rebuild(*access->store, *access->catalog, *nodes);
  if (!packages.ok()) return ReportError(packages.status().WithContext("package index"));
  for (const std::string& s : packages->skipped)
    std::cerr << "package index: skipped " << s << "\n";
  std::cout << "rebuilt catalog " << access->catalog->Describe() << " from "
            << access->store->Describe() << ": " << summary->archives << " archives, "
            << summary->runs << " runs, " << summary->files << " distinct files, " << summary->nodes
            << " tree nodes; package index: " << packages->runs_indexed << " runs, "
            << packages->presence_opened << " package stretches\n";
  return kExitOk;
}

}  // namespace

void RegisterRebuildCatalog(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<RebuildArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rebuild-catalog",
      "Recreate the catalog's archive tables and package index from the store alone");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->callback([args, &context, exit_code] { *exit_code = RunRebuild(context, *args); });
}

}  // namespace mv::cli
