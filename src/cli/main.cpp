// mirrorvault: one binary, one subcommand per job. Only wiring lives here.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/archive_access.h"
#include "cli/cli_context.h"
#include "cli/command_word.h"
#include "cli/jobs_access.h"
#include "util/log.h"
#include "util/version.h"

namespace {

int Main(int argc, char** argv) {
  using namespace mv::cli;
  CLI::App app{"mirrorvault: every state of software package archives on object storage"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mirrorvault " + std::string(mv::kVersion));
  GlobalFlags flags;
  app.add_option("--config", flags.config.config_file, "TOML configuration file");
  app.add_option("--store", flags.config.store,
                 "Store URL (overrides config and MIRRORVAULT_STORE)");
  app.add_option("--catalog", flags.config.catalog,
                 "Catalog URL (sqlite:///..., postgresql://...)");
  app.add_option("--log-level", flags.config.log_level, std::string(mv::LogLevelNames()));
  app.add_option("--endpoint-url", flags.endpoint_url,
                 "S3 endpoint for s3:// URLs without one (overrides AWS_ENDPOINT_URL)");
  CliContext context(&flags);
  int exit_code = kExitOk;
  // Global options may also follow the subcommand: `mirrorvault import A DIR --store URL`.
  app.fallthrough();
  RegisterStoreCommands(app, context, &exit_code);
  RegisterImport(app, context, &exit_code);
  RegisterMirror(app, context, &exit_code);
  RegisterRuns(app, context, &exit_code);
  RegisterLs(app, context, &exit_code);
  RegisterCat(app, context, &exit_code);
  RegisterDiff(app, context, &exit_code);
  RegisterFsck(app, context, &exit_code);
  RegisterGc(app, context, &exit_code);
  RegisterRemove(app, context, &exit_code);
  RegisterRebuildCatalog(app, context, &exit_code);
  RegisterServe(app, context, &exit_code);
  RegisterPublish(app, context, &exit_code);
  RegisterWorker(app, context, &exit_code);
  RegisterJobs(app, context, &exit_code);
  RegisterCheck(app, context, &exit_code);
  if (std::optional<std::string> unknown = UnknownCommandMessage(app, argc, argv)) {
    std::cerr << "mirrorvault: " << *unknown << "\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    // A bug (or memory exhausted), not the user's mistake: said plainly, not as an abort.
    std::fprintf(stderr, "mirrorvault: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "mirrorvault: internal error\n");
  }
  return mv::cli::kExitFailure;
}
