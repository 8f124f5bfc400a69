// `mirrorvault import ARCHIVE DIR`: a local mirror tree as one run.
#include <iomanip>
#include <iostream>

#include "cli/archive_access.h"
#include "importer/local_import.h"
#include "util/progress.h"
#include "util/units.h"
#include "util/version.h"

namespace mv::cli {
namespace {

struct ImportArgs {
  std::string archive;
  std::string dir;
  std::string run_id;
  std::string wait = "0s";
  size_t concurrency = 0;
  bool no_stat_cache = false;
  bool no_progress = false;
};

int RunImport(CliContext& context, const ImportArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  importer::LocalImportOptions options{.archive = args.archive, .dir = args.dir};
  if (Status st = ParseRunIdAndWait(args.run_id, args.wait, &options.run_id, &options.lock_wait);
      !st.ok()) {
    return ReportError(st);
  }
  options.concurrency = args.concurrency;
  options.use_stat_cache = !args.no_stat_cache;
  options.writer = "mirrorvault " + std::string(kVersion);
  if (Status valid = archive::ValidateArchiveName(args.archive); !valid.ok()) {
    return ReportError(valid);
  }
  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/true);
  if (!access.ok()) return ReportError(access.status());
  Progress progress({.label = "import " + args.archive,
                     .items_name = "files",
                     .display = args.no_progress ? ProgressDisplay::kOff : ProgressDisplay::kAuto});
  options.progress = &progress;
  options.package_index = access->packages.get();
  Result<importer::ImportSummary> summary =
      importer::ImportLocalTree(access->store, *access->catalog, options);
  progress.Finish();
  if (!summary.ok()) return ReportError(WithLockWaitHint(summary.status()));
  const archive::RunRecord& r = summary->record;
  const double secs = std::chrono::duration<double>(summary->elapsed).count();
  std::cout << "imported " << r.archive << "@" << r.run_id.ToString() << ": " << r.files
            << " files (" << FormatSizeHuman(r.bytes) << "), " << summary->symlinks << " symlinks, "
            << summary->dirs << " folders; read " << summary->files_read << " files ("
            << FormatSizeHuman(summary->bytes_read) << "), " << summary->files_stat_cached
            << " unchanged by the stat cache; new: " << r.new_files << " files ("
            << FormatSizeHuman(r.new_bytes) << "); " << std::fixed << std::setprecision(2) << secs
            << " s\n";
  PrintPackageIndexOutcome(summary->package_index);
  return kExitOk;
}

}  // namespace

void RegisterImport(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "Import a local mirror tree as a new run");
  cmd->add_option("ARCHIVE", args->archive, "Archive name")->required();
  cmd->add_option("DIR", args->dir, "Folder to import")->required();
  cmd->add_option("--run-id", args->run_id, "Run id YYYYMMDDTHHMMSSZ (default: now, UTC)");
  cmd->add_option("--wait", args->wait,
                  "How long to wait when another import of the archive is running (e.g. 10m)");
  cmd->add_option("--concurrency", args->concurrency, "Files hashed and uploaded at once");
  cmd->add_flag("--no-stat-cache", args->no_stat_cache, "Read every file, even unchanged ones");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->callback([args, &context, exit_code] { *exit_code = RunImport(context, *args); });
}

}  // namespace mv::cli
