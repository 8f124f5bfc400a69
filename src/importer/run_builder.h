// Building one run of an archive, for every producer of runs (the local import, the upstream
// mirror, and later ones: snapshot.debian.org, replication). The producer decides what the run's
// tree holds and stores the contents the store lacks; the builder does the rest, the same way
// for all:
//
//   1. Start: the store's format is checked, the archive's writer lock taken, a run committed but
//      not yet recorded recovered, the run's id and parent chosen (importer/run_start.h);
//   2. the content ledger: which contents the store has (the catalog knows them since a committed
//      run, or this run stored them), asked of the catalog once per content; removed contents
//      (retention/removal.h, read when the lock is taken) count as known and are never stored
//      again: the run's tree names them, their content withdrawn; and which of them
//      need their identity (first archive, run and path) recorded with the run: those this run
//      stored, and those first seen after this run when it is back-dated;
//   3. Commit: the run record is filled, the store's sync of the new blobs overlaps the tree's
//      upload, and the run is committed (archive/commit.h);
//   4. Finish: the package index is brought up to date under the lock, the phases are logged,
//      and the lock is released.
//
// Thread safety: the ledger (Known, KnownMany, Stored, EnsureStored, Find) may be called from
// any number of threads at once; Start, Phase, Commit and Finish from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "archive/catalog.h"
#include "archive/ids.h"
#include "archive/run_record.h"
#include "archive/tree_builder.h"
#include "archive/tree_fetch.h"
#include "importer/run_start.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/run_id.h"
#include "util/thread_annotations.h"

namespace mv::importer {

struct RunBuilderOptions {
  std::string archive;
  // The run's id; default: `started` (one second after the archive's latest run if that is not
  // later). AlreadyExists when a requested id is taken.
  std::optional<RunId> run_id;
  std::chrono::system_clock::time_point started;  // recorded in the run record
  std::string writer;                             // "mirrorvault 0.1.0"; host and pid are added
  std::chrono::milliseconds lock_wait{0};
  Clock* clock = nullptr;
  // Brought up to date by Finish, under the writer lock (none: not updated).
  pkgindex::PackageIndex* package_index = nullptr;
  size_t commit_concurrency = 16;  // tree nodes uploaded at once
  std::string phases_name;         // the debug log of the phases: "<phases_name> phases"
};

// The fields every producer's options share (archive, run_id, writer, lock_wait, clock,
// package_index), taken over; the rest is the producer's to set.
template <typename ProducerOptions>
RunBuilderOptions RunBuilderOptionsOf(const ProducerOptions& o) {
  return {.archive = o.archive,
          .run_id = o.run_id,
          .writer = o.writer,
          .lock_wait = o.lock_wait,
          .clock = o.clock,
          .package_index = o.package_index};
}

// What the ledger holds of one content.
struct LedgerContent {
  archive::Sha1 sha1{};
  uint64_t size = 0;
};

class RunBuilder {
 public:
  // Step 1. The errors of StartRun (importer/run_start.h).
  static Result<std::unique_ptr<RunBuilder>> Start(std::shared_ptr<store::ObjectStore> store,
                                                   archive::Catalog& catalog,
                                                   const RunBuilderOptions& options);
  ~RunBuilder();
  RunBuilder(const RunBuilder&) = delete;
  RunBuilder& operator=(const RunBuilder&) = delete;

  const RunStart& start() const { return start_; }
  const RunId& run_id() const { return start_.run_id; }
  // "<archive>@<run id>", for messages.
  std::string RunName() const;

  // Whether the store has the content `sha`: this run stored it, or the catalog knows it. The
  // catalog's answer is remembered; each true answer counts in known_answers().
  Result<bool> Known(const archive::Sha256& sha) EXCLUDES(mu_);
  // Known for many contents in one catalog query.
  Result<std::vector<bool>> KnownMany(std::span<const archive::Sha256> shas) EXCLUDES(mu_);
  // Records a content this run stored (written with defer_sync: Commit syncs the store before
  // the commit point). Returns whether it was new to the run (counted in new_files/new_bytes).
  bool Stored(const archive::Sha256& sha, const archive::Sha1& sha1, uint64_t size) EXCLUDES(mu_);
  // Once per content, whatever the number of callers: when the catalog does not know `sha`,
  // `store_it` stores it and the content is recorded as Stored. Every caller for that content
  // gets the outcome of the first: the catalog's error or store_it's.
  Status EnsureStored(const archive::Sha256& sha, const archive::Sha1& sha1, uint64_t size,
                      const std::function<Status()>& store_it) EXCLUDES(mu_);
  // The ledger's entry for `sha`, if Known or Stored made one.
  std::optional<LedgerContent> Find(const archive::Sha256& sha) const EXCLUDES(mu_);

  uint64_t new_files() const EXCLUDES(mu_);
  uint64_t new_bytes() const EXCLUDES(mu_);
  uint64_t known_answers() const EXCLUDES(mu_);

  // Starts the store's sync of the blobs this run stored (none: nothing), so that the disk
  // flushes them while the producer builds the tree; Commit waits for it (and starts it when the
  // producer did not). REQUIRES: the producer stores no further blobs.
  void SyncBlobs();

  // Ends the current phase, timed from the end of the previous one (or from Start), under
  // `name`; the phases are logged by Finish. AddPhase records one timed by the caller (work done
  // before Start).
  void Phase(std::string name);
  void AddPhase(std::string name, std::chrono::milliseconds took);

  // Step 3: commits `tree` as the run, with the identities of the contents the ledger says to
  // record (a content the ledger lacks is taken as known) and `stat_cache` (the local import's).
  // Ends the phase "commit". The errors of archive::CommitRun.
  Result<archive::RunRecord> Commit(archive::BuiltTree tree, archive::RunSource source,
                                    std::optional<archive::StatCacheDelta> stat_cache = {});

  // Step 4: the package index (its failure is returned, not an error: the run is committed),
  // the phase log, and the lock's release (whose error is returned).
  Result<IndexOutcome> Finish();

 private:
  struct Entry {
    LedgerContent content;
    bool uploaded = false;      // stored by this run: its identity is recorded with it
    bool earlier_here = false;  // known, but first seen after this (back-dated) run
    bool withdrawn = false;     // removed (archive/removal.h): never stored
  };
  struct Settling;  // EnsureStored's once per content

  RunBuilder(std::shared_ptr<store::ObjectStore> store, archive::Catalog& catalog,
             const RunBuilderOptions& options, RunStart start,
             std::chrono::steady_clock::time_point mark,
             const std::vector<archive::Removal>& removals);
  void Remember(const archive::Sha256& sha, const archive::FileIdentity& found) REQUIRES(mu_);
  std::vector<archive::FileIdentity> IdentitiesToRecord(const archive::BuiltTree& tree)
      EXCLUDES(mu_);

  std::shared_ptr<store::ObjectStore> store_;
  archive::Catalog& catalog_;
  const RunBuilderOptions options_;
  Clock& clock_;
  RunStart start_;
  std::chrono::steady_clock::time_point mark_;  // the end of the last phase
  std::vector<std::pair<std::string, std::chrono::milliseconds>> phases_;
  std::future<Status> blobs_sync_;

  mutable util::Mutex mu_;
  std::unordered_map<archive::Sha256, Entry, archive::IdHasher> contents_ GUARDED_BY(mu_);
  std::unordered_map<archive::Sha256, std::unique_ptr<Settling>, archive::IdHasher> settling_
      GUARDED_BY(mu_);
  uint64_t new_files_ GUARDED_BY(mu_) = 0;
  uint64_t new_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t known_answers_ GUARDED_BY(mu_) = 0;
};

}  // namespace mv::importer
