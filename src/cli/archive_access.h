// What the archive subcommands share: the archive store and catalog of the configuration, opened
// with start-up recovery, and the formatting of sizes in tables.
#pragma once

#include <memory>
#include <string>

#include "archive/catalog.h"
#include "cli/cli_context.h"
#include "store/object_store.h"

namespace mv::cli {

struct ArchiveAccess {
  std::shared_ptr<store::ObjectStore> store;
  std::unique_ptr<archive::Catalog> catalog;
};

// Opens the configured store and catalog. With `recover_archive` (an archive name, or "*" for
// all), run records in the store that the catalog lacks are added first (start-up recovery).
// `create_store`: a missing local store folder is created (import) rather than refused.
Result<ArchiveAccess> OpenArchive(CliContext& context, const std::string& recover_archive,
                                  bool create_store);

// The archive subcommands, one file each.
void RegisterImport(CLI::App& app, CliContext& context, int* exit_code);
void RegisterRuns(CLI::App& app, CliContext& context, int* exit_code);
void RegisterLs(CLI::App& app, CliContext& context, int* exit_code);
void RegisterCat(CLI::App& app, CliContext& context, int* exit_code);
void RegisterDiff(CLI::App& app, CliContext& context, int* exit_code);
void RegisterFsck(CLI::App& app, CliContext& context, int* exit_code);
void RegisterRebuildCatalog(CLI::App& app, CliContext& context, int* exit_code);

}  // namespace mv::cli
