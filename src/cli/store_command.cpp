// `mirrorvault store ...`: operator access to any store, in the manner of `aws s3`.
#include "cli/cli_context.h"
#include "cli/store_commands.h"

namespace mv::cli {

void RegisterStoreCommands(CLI::App& app, CliContext& context, int* exit_code) {
  CLI::App* store = app.add_subcommand(
      "store", "Operator access to any store: copy, list, read, remove and inspect objects");
  store->require_subcommand(1);
  RegisterStoreCp(*store, context, exit_code);
  RegisterStoreLs(*store, context, exit_code);
  RegisterStoreCat(*store, context, exit_code);
  RegisterStoreRm(*store, context, exit_code);
  RegisterStoreStat(*store, context, exit_code);
  RegisterStorePresign(*store, context, exit_code);
}

}  // namespace mv::cli
