// `mirrorvault fsck [--deep] [--full]`: prove every run whole (incrementally: what is new since
// the last clean pass; --full: everything).
#include "archive/fsck.h"

#include <iostream>

#include "cli/archive_access.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct FsckArgs {
  bool deep = false;
  bool full = false;
  bool no_progress = false;
};

int RunFsck(CliContext& context, const FsckArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  Progress progress({.label = args.deep ? "fsck --deep" : "fsck",
                     .items_name = args.deep ? "blobs" : "runs",
                     .display = args.no_progress ? ProgressDisplay::kOff : ProgressDisplay::kAuto});
  Result<archive::FsckReport> report = archive::Fsck(
      *access->store, access->catalog.get(), {.deep = args.deep, .full = args.full}, &progress);
  progress.Finish();
  if (!report.ok()) return ReportError(report.status());
  for (const archive::FsckProblem& p : report->problems) {
    std::cout << "PROBLEM " << p.where << ": " << p.what << "\n";
  }
  for (const std::string& note : report->notes) std::cout << "note: " << note << "\n";
  std::cout << "checked " << report->runs - report->runs_verified_before << " runs";
  if (report->runs_verified_before > 0) {
    std::cout << " (and " << report->runs_verified_before
              << " verified by an earlier pass, not checked again: --full checks them)";
  }
  if (report->runs_deleted > 0) std::cout << " (" << report->runs_deleted << " deleted)";
  std::cout << ", " << report->nodes << " tree nodes, " << report->blobs << " blobs";
  if (args.deep) std::cout << " (" << FormatSizeHuman(report->bytes_hashed) << " re-hashed)";
  if (report->removals > 0) {
    std::cout << "; " << report->removals << " removals, " << report->blobs_withdrawn
              << " referenced blobs withdrawn by them";
  }
  std::cout << ": " << report->problems.size() << " problems\n";
  return report->problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace

void RegisterFsck(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<FsckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fsck", "Check that every run's trees and blobs exist (exit 1 on any problem)");
  cmd->add_flag("--deep", args->deep, "Also re-hash every blob");
  cmd->add_flag("--full", args->full,
                "Check every run and directory, not only those no clean pass verified");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->callback([args, &context, exit_code] { *exit_code = RunFsck(context, *args); });
}

}  // namespace mv::cli
