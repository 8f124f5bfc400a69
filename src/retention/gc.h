// `mirrorvault gc`: deletes the blobs and tree nodes that no kept run names, from the store and the
// catalog (docs/store-format.md, "Garbage collection").
//
// Safe against writers of any archive at any grace, 0 included, by the gc fence
// (archive/writer_lock.h's kGcFence):
//   1. mark, with no lock held: every node and blob reachable from every kept run (runs/ without
//      tombstones), and the stat caches' folder nodes (an import reuses them without writing
//      them); the store's blobs/ and trees/ listed, and every object neither marked nor younger
//      than the grace is a candidate;
//   2. the fence goes up: no writer lock of any archive can be taken; then gc waits until every
//      writer that held one has let it go (each commit it made is in the store by then);
//   3. under the fence, the runs committed since step 1 are marked too, and what they name is no
//      longer a candidate: a writer that found a candidate in the catalog or the store and reused
//      it without writing it has committed by now, or never will (its lock is gone);
//   4-5. a batch of 1,000 candidates at a time, many at once: the catalog forgets the batch
//      (identities, cached nodes, what fsck verified) before it goes from the store, so that no
//      later writer takes one as stored, then the store deletes it (one DeleteObjects request
//      on S3); then the fence comes down.
// Killed at any moment, gc leaves every kept run whole (it deletes only what no run named under
// the fence), the fence's lease runs out (or a writer on the same machine sees it died), and a
// later gc finds what this one left and deletes it.
//
// Memory: the marked ids in flat tables of 32-byte ids (at most 64 bytes a live object); the
// candidates go to an unlinked temporary file (41 bytes each, retention/candidate_file.h) and
// are read back a batch at a time; nothing holds whole trees.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "archive/catalog.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::retention {

struct GcOptions {
  // Unreferenced objects younger than this (by the store's modification time) are kept: a
  // crashed import's leftovers are collected once older, an import at work is fenced anyway.
  std::chrono::milliseconds grace = std::chrono::hours(48);
  bool dry_run = false;     // mark and list only: what a gc would delete now
  size_t concurrency = 32;  // GETs, listings and delete batches in flight
  // How long to wait for writers at work once the fence is up (and for another gc's fence).
  std::chrono::milliseconds wait = std::chrono::minutes(10);
  std::string who = "mirrorvault gc";
  Clock* clock = nullptr;  // SystemClock() when null
  // Where the candidate file goes (41 bytes a candidate, unlinked): CandidateFile::DefaultDir()
  // ($TMPDIR, else /var/tmp) when empty.
  std::string temp_dir;
  // Called with each object's key before it is deleted (dry run: that it would delete).
  std::function<void(const std::string& key, uint64_t size)> on_object;
};

struct GcCount {
  uint64_t objects = 0;
  uint64_t bytes = 0;
};

struct GcSummary {
  size_t runs = 0;        // kept runs marked
  size_t later_runs = 0;  // of which committed while gc marked (marked under the fence)
  uint64_t live_nodes = 0, live_blobs = 0;
  uint64_t mark_bytes = 0;            // the mark sets' tables (memory)
  uint64_t candidate_file_bytes = 0;  // the candidates on the temporary file (disk)
  GcCount blobs, nodes;               // deleted (with dry_run: would be)
  GcCount young;                      // unreferenced, younger than the grace: kept
  uint64_t failed = 0;                // deletions the store refused (tried again by the next gc)
  // Where the time went: marking (both passes), listing the store, waiting behind the fence for
  // writers, the catalog's forgetting (within the deletions), the deletions.
  std::chrono::milliseconds mark{0}, list{0}, fence_wait{0}, catalog{0}, delete_time{0};
};

Result<GcSummary> CollectGarbage(store::ObjectStore& store, archive::Catalog& catalog,
                                 const GcOptions& options);

}  // namespace mv::retention
