// The archive's catalog tables (docs/design.md section 5): archives, runs, file identities and
// the tree-node cache, which can be rebuilt from the store (RebuildCatalog, archive/recovery.h),
// and the local import's stat cache, which a rebuild empties. The writer locks
// (archive/writer_lock.h) are the only other archive table; a rebuild keeps them.
//
// Thread-safe: every call borrows a connection from the Database's pool.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ids.h"
#include "archive/removal.h"
#include "archive/run_record.h"
#include "archive/tree.h"
#include "db/database.h"
#include "util/run_id.h"
#include "util/status.h"

namespace mv::archive {

// A run as the catalog lists it.
struct RunRow {
  std::string archive;
  RunId run_id;
  Sha256 root{};
  std::optional<RunId> parent;
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t new_files = 0;
  uint64_t new_bytes = 0;
  std::string record;  // the run record exactly as stored (JSON)
  friend bool operator==(const RunRow&, const RunRow&) = default;
};

// One distinct file content, and where it was first seen: the earliest (run id, archive) that
// holds it, and its first path in that run's tree order (archive/tree_walk.h WalkTree).
struct FileIdentity {
  Sha256 sha256{};
  Sha1 sha1{};
  uint64_t size = 0;
  std::string first_archive;
  RunId first_run;
  std::string first_path;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

// The stat cache of the local import (importer/local_import.h), one row per folder of the
// archive's last import: the folder's top tree node and totals as that import wrote them, and
// its entries with their stat fields, packed by the importer (opaque here).
struct StatFolderRow {
  std::string path;  // relative to the import's root, "" for the root
  Sha256 node{};
  uint64_t files = 0;  // beneath it, recursively
  uint64_t bytes = 0;
  std::string listing;
  friend bool operator==(const StatFolderRow&, const StatFolderRow&) = default;
};
struct StatCacheDelta {
  std::vector<StatFolderRow> upserts;
  std::vector<std::string> deletes;  // folder paths
  bool clear_first = false;          // replace the archive's whole cache
};

// Everything the catalog records for one committed run, written in one transaction.
struct RunRows {
  RunRecord record;
  std::string record_json;          // EncodeRunRecord(record), as stored
  std::vector<FileIdentity> files;  // identities this run adds or moves earlier
  std::vector<EncodedNode> nodes;   // tree nodes not yet cached
  std::optional<StatCacheDelta> stat_cache;
};

class Catalog {
 public:
  // Opens the archive tables in `database`, applying migrations first.
  static Result<std::unique_ptr<Catalog>> Open(std::shared_ptr<db::Database> database);

  db::Database& database() { return *database_; }
  const std::shared_ptr<db::Database>& shared_database() const { return database_; }
  std::string Describe() const { return database_->Describe(); }

  // --- runs ---
  Result<std::vector<std::string>> ListArchives();
  // Ascending run id.
  Result<std::vector<RunRow>> ListRuns(std::string_view archive);
  // The runs after `after` (all when none), ascending, without their records (RunRow::record
  // empty): a range of the primary key, so a reader that keeps a run list pays for new runs only.
  Result<std::vector<RunRow>> ListRunsAfter(std::string_view archive,
                                            const std::optional<RunId>& after);
  // A counter that moves on with every run recorded in `archive`, in the same transaction (0 for
  // an archive the catalog does not know). Unchanged: the archive's runs are as they were.
  Result<int64_t> RunChanges(std::string_view archive);
  Result<std::optional<RunRow>> GetRun(std::string_view archive, const RunId& run_id);
  // The latest run with id <= `at` (std::nullopt when none).
  Result<std::optional<RunRow>> RunAtOrBefore(std::string_view archive, const RunId& at);
  // The latest run with id < `before`.
  Result<std::optional<RunRow>> RunBefore(std::string_view archive, const RunId& before);
  Result<std::optional<RunRow>> LatestRun(std::string_view archive);
  // How many runs of `archive` have an id <= `through` (a count over the primary key).
  Result<uint64_t> CountRunsThrough(std::string_view archive, const RunId& through);
  Result<std::optional<RunRow>> EarliestRun(std::string_view archive);

  // Records a committed run (its record is already in the store): the archive, the run, the
  // file identities (first-seen kept at the earliest (run, archive)), the tree nodes and the
  // stat-cache delta, in one transaction. A run already recorded is left as it is (OK), so
  // recovery can race an import harmlessly.
  Status RecordRun(RunRows rows);

  // --- file identities ---
  Result<std::optional<FileIdentity>> FileBySha256(const Sha256& sha256);
  // The same for many contents on one connection (a mirror asks for every file it selects).
  Result<std::vector<std::optional<FileIdentity>>> FilesBySha256(std::span<const Sha256> sha256s);
  Result<std::vector<FileIdentity>> FilesBySha1(const Sha1& sha1);
  Result<uint64_t> CountFiles();
  // Per archive: its runs, and the files and bytes its runs brought that no earlier run had
  // (what importing it has added to the store), sorted by archive.
  struct ArchiveTotals {
    std::string archive;
    uint64_t runs = 0;
    uint64_t new_files = 0;
    uint64_t new_bytes = 0;
  };
  Result<std::vector<ArchiveTotals>> Totals();

  // --- tree-node cache ---
  Result<std::optional<std::string>> GetNode(const Sha256& id);
  // For each id, whether the cache holds it.
  Result<std::vector<bool>> HasNodes(std::span<const Sha256> ids);

  // --- what fsck verified (rebuildable: lost, the next fsck verifies everything again) ---
  // For each directory id, whether a fsck found its whole subtree whole (with `deep`: its blobs
  // re-hashed too).
  Result<std::vector<bool>> VerifiedDirs(std::span<const Sha256> ids, bool deep);
  // The runs a fsck verified (with `deep`: deeply), as (archive, run id).
  Result<std::vector<std::pair<std::string, RunId>>> VerifiedRuns(bool deep);
  // Records runs and directories found whole (deeply when `deep`; a deep record stays deep).
  Status RecordVerified(std::span<const std::pair<std::string, RunId>> runs,
                        std::span<const Sha256> dirs, bool deep);
  // Forgets everything fsck recorded (fsck --full starts from nothing).
  Status ForgetVerified();

  // --- stat cache (only the importer of `archive` reads it, under the writer lock) ---
  Result<std::vector<StatFolderRow>> LoadStatCache(std::string_view archive);
  // The folder nodes of every archive's stat cache (an import reuses them without writing them:
  // gc keeps them).
  Result<std::vector<Sha256>> StatCacheNodes();

  // --- gc (retention/gc.h) ---
  // Forgets objects gc is about to delete: their file identities, cached nodes and what fsck
  // verified of them, in one transaction.
  Status ForgetObjects(std::span<const Sha256> blobs, std::span<const Sha256> nodes);

  // --- removals (archive/removal.h; catalog_removals.cpp) ---
  // Records a removal and its files (again: nothing changes). A content removed twice keeps the
  // first removal's id.
  Status RecordRemoval(const Removal& removal);
  static Status RecordRemovalIn(db::Connection& connection, const Removal& removal);
  // Every removal, oldest first.
  Result<std::vector<Removal>> ListRemovals();
  // The ids of every removal recorded (to read only new records from the store).
  Result<std::set<std::string>> RemovalIds();
  // The removals not yet marked finished, oldest first: their blobs, region copies or target
  // files may still be somewhere.
  Result<std::vector<Removal>> ListUnfinishedRemovals();
  // Marks removals finished at `when_ms` (ms since the epoch); unknown ids are ignored.
  Status MarkRemovalsFinished(std::span<const std::string> ids, int64_t when_ms);
  Result<std::optional<Removal>> GetRemoval(std::string_view id);
  // Every withdrawn content's SHA-256, sorted (a publish leaves them out: no store has them).
  Result<std::vector<Sha256>> RemovedContents();
  // The removal that withdrew a content, by its SHA-256 or SHA-1; std::nullopt when none did.
  Result<std::optional<std::string>> RemovalOf(const Sha256& sha256);
  Result<std::optional<std::string>> RemovalOfSha1(const Sha1& sha1);
  // How many removals there are: a server's cheap check that its copy is current.
  Result<uint64_t> CountRemovals();

  // Empties every rebuildable table (runs, files, tree cache, stat cache, what fsck verified,
  // removals)
  // inside the caller's transaction on `connection`; used by rebuild-catalog. The archives stay,
  // with their run-change counters, so that the runs recorded again move each counter on from
  // where it was: a reader that keeps a run list by counter (serve) never takes a rebuilt list
  // for the one it holds. ForgetArchivesWithoutRuns, once the runs are recorded again, drops
  // the archives the store no longer has.
  static Status ClearRebuildable(db::Connection& connection);
  static Status ForgetArchivesWithoutRuns(db::Connection& connection);
  // RecordRun's work on a connection already inside a transaction.
  static Status RecordRunIn(db::Connection& connection, const RunRows& rows);
  // Forgets a deleted run inside the caller's transaction: its row and what fsck verified of it,
  // and the archive's stat cache when it was the archive's latest run (the cache describes that
  // run's tree, whose nodes a gc may collect); the archive's run-change counter moves on. The
  // archive stays, even without runs. File identities stay: where a content was first seen
  // remains true, and gc forgets the contents no run holds. False when the run was not there.
  static Result<bool> ForgetRunIn(db::Connection& connection, std::string_view archive,
                                  const RunId& run_id);

 private:
  explicit Catalog(std::shared_ptr<db::Database> database) : database_(std::move(database)) {}
  std::shared_ptr<db::Database> database_;
};

}  // namespace mv::archive
