// The `store` subcommands, one file each.
#pragma once

#include "cli/cli_context.h"

namespace mv::cli {

void RegisterStoreCp(CLI::App& store, CliContext& context, int* exit_code);
void RegisterStoreLs(CLI::App& store, CliContext& context, int* exit_code);
void RegisterStoreCat(CLI::App& store, CliContext& context, int* exit_code);
void RegisterStoreRm(CLI::App& store, CliContext& context, int* exit_code);
void RegisterStoreStat(CLI::App& store, CliContext& context, int* exit_code);
void RegisterStorePresign(CLI::App& store, CliContext& context, int* exit_code);

}  // namespace mv::cli
