// What the archive subcommands share: the archive store and catalog of the configuration, opened
// with start-up recovery, and the formatting of sizes in tables.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "archive/catalog.h"
#include "archive/tree_walk.h"
#include "cli/cli_context.h"
#include "importer/run_start.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "util/run_id.h"

namespace mv::cli {

struct ArchiveAccess {
  std::shared_ptr<store::ObjectStore> store;
  std::unique_ptr<archive::Catalog> catalog;
  std::unique_ptr<pkgindex::PackageIndex> packages;  // in the same catalog database
};

// Opens the configured store and catalog. With `recover_archive` (an archive name, or "*" for
// all), run records in the store that the catalog lacks are added first (start-up recovery).
// `create_store`: a missing local store folder is created (import) rather than refused.
Result<ArchiveAccess> OpenArchive(CliContext& context, const std::string& recover_archive,
                                  bool create_store);

// A run named on the command line ("debian@20240229"), resolved: the archive opened (with
// recovery), the run at or before the moment, and a node source for its trees.
struct OpenedRun {
  ArchiveAccess access;
  archive::RunRow run;
  std::unique_ptr<archive::NodeSource> source;
  std::string Name() const { return run.archive + "@" + run.run_id.ToString(); }
};
Result<OpenedRun> OpenRun(CliContext& context, const std::string& spec_text);
// Another run of the archives `opened` gives access to (recovering its archive first).
Result<archive::RunRow> ResolveOtherRun(OpenedRun& opened, const std::string& spec_text);

// --run-id and --wait as importing commands take them ("" run id: none).
Status ParseRunIdAndWait(const std::string& run_id, const std::string& wait,
                         std::optional<RunId>* run_id_out, std::chrono::milliseconds* wait_out);

// An importing command's failure, with the hint of its --wait option when another writer held the
// archive's lock.
Status WithLockWaitHint(Status status);

// One line on stdout about the package index after an import or mirror ("package index: ..."),
// or a warning on stderr when it could not be updated.
void PrintPackageIndexOutcome(const importer::IndexOutcome& outcome);

// The archive subcommands, one file each.
void RegisterImport(CLI::App& app, CliContext& context, int* exit_code);
void RegisterMirror(CLI::App& app, CliContext& context, int* exit_code);
void RegisterRuns(CLI::App& app, CliContext& context, int* exit_code);
// `runs rm` and `runs prune`, under `runs`.
void RegisterRunDeletion(CLI::App& runs, CliContext& context, int* exit_code);
void RegisterLs(CLI::App& app, CliContext& context, int* exit_code);
void RegisterCat(CLI::App& app, CliContext& context, int* exit_code);
void RegisterDiff(CLI::App& app, CliContext& context, int* exit_code);
void RegisterFsck(CLI::App& app, CliContext& context, int* exit_code);
void RegisterGc(CLI::App& app, CliContext& context, int* exit_code);
// `remove` and `removals`.
void RegisterRemove(CLI::App& app, CliContext& context, int* exit_code);
void RegisterRebuildCatalog(CLI::App& app, CliContext& context, int* exit_code);
void RegisterServe(CLI::App& app, CliContext& context, int* exit_code);
void RegisterPublish(CLI::App& app, CliContext& context, int* exit_code);

}  // namespace mv::cli
