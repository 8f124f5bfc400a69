// The package index (docs/design.md section 5): source and binary packages, their files, and for
// each (archive, suite, component, architecture, package, version) the first and last run in
// which it was present. Built from the runs' own dists/ indexes (pkgindex/run_packages.h), so it
// is rebuilt from the store like the rest of the catalog; the /mr/ API and the web pages read it.
//
// Thread-safe: every call borrows a connection from the Database's pool. Updates of one archive
// must not run concurrently (callers hold the archive's writer lock, or run rebuild-catalog).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/catalog.h"
#include "archive/tree_walk.h"
#include "db/database.h"
#include "store/object_store.h"
#include "util/run_id.h"
#include "util/status.h"

namespace mv::pkgindex {

struct PresenceRow {
  std::string archive, suite, component, architecture, name, version;
  RunId first_run;
  RunId last_run;  // the archive's latest indexed run while still present
  friend bool operator==(const PresenceRow&, const PresenceRow&) = default;
};

struct PackageFile {
  std::string architecture;  // binaries only ("amd64", "all")
  archive::Sha256 sha256{};
  std::string path;  // from the archive's root: "pool/main/h/hello/hello_2.10-3_amd64.deb"
  uint64_t size = 0;
  friend bool operator==(const PackageFile&, const PackageFile&) = default;
};

struct BinaryRow {
  std::string name, version;
  friend bool operator==(const BinaryRow&, const BinaryRow&) = default;
};

// A binary package version and the source version it was built from.
struct BinaryVersion {
  std::string name, version, source, source_version;
  friend bool operator==(const BinaryVersion&, const BinaryVersion&) = default;
};

// Where a package file has been seen: an archive, its path there, and the first run of the
// archive whose indexes named it.
struct FileLocation {
  std::string archive;
  std::string path;
  uint64_t size = 0;
  RunId first_run;
  friend bool operator==(const FileLocation&, const FileLocation&) = default;
};

struct UpdateSummary {
  size_t runs_indexed = 0;
  uint64_t presence_opened = 0;      // stretches begun
  uint64_t presence_closed = 0;      // stretches ended
  std::vector<std::string> skipped;  // unreadable Releases or indexes, per run
};

class PackageIndex {
 public:
  static Result<std::unique_ptr<PackageIndex>> Open(std::shared_ptr<db::Database> database);

  // Indexes every run of `archive` the index lacks, oldest first. A run older than one already
  // indexed (a back-dated import) makes the archive's presence be rebuilt from its first run.
  Result<UpdateSummary> Update(store::ObjectStore& store, archive::Catalog& catalog,
                               archive::NodeSource& nodes, const std::string& archive);
  // Empties every package-index table, then indexes every run of every archive (rebuild-catalog).
  Result<UpdateSummary> Rebuild(store::ObjectStore& store, archive::Catalog& catalog,
                                archive::NodeSource& nodes);

  // Forgets a deleted run of `archive` inside the caller's transaction, leaving the stretches as
  // indexing the kept runs alone would have made them: a stretch of that run only goes, one that
  // began or ended there begins at the next indexed run or ends at the previous one, two
  // stretches the run's absence separated become one, and when it was the latest indexed run the
  // stretches present in the one before it are open again. Costs the stretches that begin or end
  // around the run, and the archive's open stretches (read by index). False when the run was not
  // indexed.
  static Result<bool> ForgetRunIn(db::Connection& connection, std::string_view archive,
                                  const RunId& run_id);

  // --- queries ---
  // Every stretch of `name` (a binary or source package) in `archive`, by suite, component,
  // architecture, version and first run.
  Result<std::vector<PresenceRow>> Presence(std::string_view archive, std::string_view name);
  // Every stretch of `name` at `version` in every archive, by archive, suite, component,
  // architecture and first run ("source" is the architecture of a source package's stretches).
  Result<std::vector<PresenceRow>> PresenceOfVersion(std::string_view name,
                                                     std::string_view version);
  // Source packages are those of the Sources indexes and those every binary names (its Source:
  // field, or its own name and version), so every binary's source is known here; one known only
  // from binaries has no source files.
  // Source package names in byte order: all of them, or those starting with `prefix`; at most
  // `limit` (0: no limit).
  Result<std::vector<std::string>> SourceNames(std::string_view prefix = {}, size_t limit = 0);
  // The versions of binary package `name`, newest first (Debian order), with their sources.
  Result<std::vector<BinaryVersion>> BinaryVersions(std::string_view name);
  // Where the package file with content `sha256` was seen (sources and binaries), one row per
  // (archive, path), oldest first.
  Result<std::vector<FileLocation>> FileLocations(const archive::Sha256& sha256);
  // The versions of source package `name`, newest first (Debian order).
  Result<std::vector<std::string>> SourceVersions(std::string_view name);
  Result<std::vector<PackageFile>> SourceFiles(std::string_view name, std::string_view version);
  // The binary packages built from a source version, by name and version.
  Result<std::vector<BinaryRow>> BinariesOfSource(std::string_view source,
                                                  std::string_view version);
  Result<std::vector<PackageFile>> BinaryFiles(std::string_view name, std::string_view version);

 private:
  explicit PackageIndex(std::shared_ptr<db::Database> database) : database_(std::move(database)) {}
  std::shared_ptr<db::Database> database_;
};

}  // namespace mv::pkgindex
