// `mirrorvault cat ARCHIVE@TS PATH`: a file of a run on standard output.
#include <unistd.h>

#include "archive/run_view.h"
#include "cli/archive_access.h"
#include "util/io.h"

namespace mv::cli {
namespace {

struct CatArgs {
  std::string run;
  std::string path;
};

int RunCat(CliContext& context, const CatArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<OpenedRun> opened = OpenRun(context, args.run);
  if (!opened.ok()) return ReportError(opened.status());
  const std::string where = opened->Name();
  Result<archive::TreeEntry> entry =
      archive::ResolvePath(*opened->source, opened->run.root, args.path);
  if (!entry.ok()) return ReportError(entry.status().WithContext(where));
  if (entry->type != archive::EntryType::kFile) {
    return ReportError(InvalidArgument(where + ": '" + args.path + "' is a folder, not a file"));
  }
  auto out = MakeFdWriter(STDOUT_FILENO, "standard output");
  Status st =
      opened->access.store->Get(archive::BlobKey(entry->hash), *out, {.size_hint = entry->size});
  if (!st.ok()) return ReportError(st.WithContext(where + ": " + args.path));
  return kExitOk;
}

}  // namespace

void RegisterCat(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<CatArgs>();
  CLI::App* cmd = app.add_subcommand("cat", "Write a file of a run to standard output");
  cmd->add_option("RUN", args->run, "ARCHIVE@TS or ARCHIVE")->required();
  cmd->add_option("PATH", args->path, "Path of the file in the run")->required();
  cmd->callback([args, &context, exit_code] { *exit_code = RunCat(context, *args); });
}

}  // namespace mv::cli
