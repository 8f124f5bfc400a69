// Withdrawing files (`mirrorvault remove`): a removal record written to the store
// (removals/<id>.json, archive/removal.h), the catalog told, then the blobs deleted under the
// store's fence (retention/fence.h). The record is the commit point: from then on every route of
// a server answers 451 for those contents, and an import or mirror never stores them again
// (importer/run_builder.h: a removed content counts as known, so it is neither fetched nor
// written; the run's tree still names the path, its content withdrawn).
//
// Why the fence: a writer that started before the removal was recorded may have decided to
// write a removed content (it was unknown then) and write it after the blob was deleted. The
// fence waits for every such writer to finish before deleting; writers that start later read
// the removals when their lock is taken (importer/run_start.h).
//
// Cut short at any moment (a crash, SIGKILL): the record is in the store or not; if it is,
// FinishRemovals (called by every later `remove`, and by `remove --finish`) records it in the
// catalog and deletes its blobs. Idempotent: deleting an absent blob succeeds.
//
// Work grows with the new removals, not with every removal ever made: only records the catalog
// lacks are read from the store, and only removals not yet marked finished in the catalog have
// their blobs looked for. The caller withdraws those removals' copies elsewhere (region cache,
// publish targets: higher parts than this one) and then marks them finished
// (Catalog::MarkRemovalsFinished); one not marked is taken up again by the next `remove`.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "archive/catalog.h"
#include "archive/removal.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::retention {

struct RemoveOptions {
  std::string who;     // "alice@host (cli)"
  std::string reason;  // required
  bool dry_run = false;
  // How long to wait for writers at work (and another fence holder) before deleting blobs.
  std::chrono::milliseconds wait = std::chrono::minutes(10);
  Clock* clock = nullptr;   // SystemClock() when null
  size_t concurrency = 32;  // the store's HEADs (which removed blobs are still there) in flight
  // Called once the removal is recorded (the audit log); its failure is logged, not returned.
  std::function<Status(const archive::Removal&)> on_recorded;
};

// The files the hashes name (SHA-256 or SHA-1, hex), as the catalog knows them: a SHA-1 names
// every content with that SHA-1. NotFound names a hash the catalog does not know;
// InvalidArgument one that is neither kind of hash.
Result<std::vector<archive::RemovedFile>> ResolveHashes(archive::Catalog& catalog,
                                                        const std::vector<std::string>& hashes);

struct RemoveSummary {
  archive::Removal removal;  // what was (or, dry run, would be) recorded; no files: none new
  std::vector<archive::RemovedFile> already_removed;  // of the files asked, removed before
  uint64_t blobs_deleted = 0;    // blobs present in the store and deleted, over every removal
  size_t removals_finished = 0;  // earlier removals whose blobs were still there (cut short)
  // Every removal not marked finished in the catalog, this one included: its blobs are gone
  // now; its copies elsewhere are the caller's to withdraw before marking it finished.
  std::vector<archive::Removal> unfinished;
};

// Removes `files` (contents removed before are left out, and named), then finishes every
// removal (FinishRemovals). InvalidArgument when the reason is empty or no file is given.
Result<RemoveSummary> RemoveFiles(store::ObjectStore& store, archive::Catalog& catalog,
                                  std::vector<archive::RemovedFile> files,
                                  const RemoveOptions& options);

// Finishes every removal in the store not marked finished: each recorded in the catalog, then,
// under the fence, every removed blob of them still in the store deleted. `summary` gets
// blobs_deleted, removals_finished and unfinished.
Status FinishRemovals(store::ObjectStore& store, archive::Catalog& catalog,
                      const RemoveOptions& options, RemoveSummary& summary);

}  // namespace mv::retention
