// `mirrorvault runs ARCHIVE`: the history of an archive.
#include <cstdio>
#include <iostream>

#include "archive/run_view.h"
#include "cli/archive_access.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct RunsArgs {
  std::string archive;
};

int RunRuns(CliContext& context, const RunsArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  if (args.archive.empty()) {
    return ReportError(InvalidArgument("runs: name an ARCHIVE (or use `runs rm` or `runs prune`)"));
  }
  if (Status valid = archive::ValidateArchiveName(args.archive); !valid.ok()) {
    return ReportError(valid);
  }
  Result<ArchiveAccess> access = OpenArchive(context, args.archive, /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  Result<std::vector<archive::RunRow>> runs = access->catalog->ListRuns(args.archive);
  if (!runs.ok()) return ReportError(runs.status());
  if (runs->empty()) {
    return ReportError(archive::UnknownArchive(*access->catalog, args.archive));
  }
  std::printf("%-16s  %10s  %12s  %10s  %12s\n", "RUN", "FILES", "BYTES", "NEW_FILES", "NEW_BYTES");
  for (const archive::RunRow& r : *runs) {
    std::printf("%-16s  %10llu  %12llu  %10llu  %12llu\n", r.run_id.ToString().c_str(),
                static_cast<unsigned long long>(r.files), static_cast<unsigned long long>(r.bytes),
                static_cast<unsigned long long>(r.new_files),
                static_cast<unsigned long long>(r.new_bytes));
  }
  return kExitOk;
}

}  // namespace

void RegisterRuns(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<RunsArgs>();
  CLI::App* cmd =
      app.add_subcommand("runs", "List the runs of an archive (rm, prune: delete runs)");
  cmd->add_option("ARCHIVE", args->archive, "Archive name");
  RegisterRunDeletion(*cmd, context, exit_code);
  cmd->callback([args, cmd, &context, exit_code] {
    if (cmd->get_subcommands().empty()) *exit_code = RunRuns(context, *args);
  });
}

}  // namespace mv::cli
