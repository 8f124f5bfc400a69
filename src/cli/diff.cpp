// `mirrorvault diff ARCHIVE@A ARCHIVE@B`: what changed between two runs.
#include <cstdio>

#include "archive/run_view.h"
#include "cli/archive_access.h"

namespace mv::cli {
namespace {

struct DiffArgs {
  std::string a;
  std::string b;
};

int RunDiff(CliContext& context, const DiffArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<OpenedRun> from = OpenRun(context, args.a);
  if (!from.ok()) return ReportError(from.status());
  Result<archive::RunRow> to = ResolveOtherRun(*from, args.b);
  if (!to.ok()) return ReportError(to.status());
  Status st =
      archive::DiffTrees(*from->source, from->run.root, to->root, [](const archive::Change& c) {
        // A folder whose contents changed is shown by those contents.
        if (c.kind == archive::ChangeKind::kChanged && c.before && c.after &&
            c.before->type == archive::EntryType::kDirectory &&
            c.after->type == archive::EntryType::kDirectory) {
          return Status::Ok();
        }
        const char* mark = c.kind == archive::ChangeKind::kAdded     ? "A"
                           : c.kind == archive::ChangeKind::kRemoved ? "D"
                                                                     : "M";
        std::printf("%s %s\n", mark, c.path.c_str());
        return Status::Ok();
      });
  if (!st.ok()) return ReportError(st);
  return kExitOk;
}

}  // namespace

void RegisterDiff(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "List paths added (A), removed (D) and changed (M) from one run to another");
  cmd->add_option("FROM", args->a, "ARCHIVE@TS")->required();
  cmd->add_option("TO", args->b, "ARCHIVE@TS")->required();
  cmd->callback([args, &context, exit_code] { *exit_code = RunDiff(context, *args); });
}

}  // namespace mv::cli
