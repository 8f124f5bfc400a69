// Publishing one run of an archive to one target (a bucket prefix or a folder) in the order of
// publish/plan.h, with the target's manifest (publish/manifest.h) saying what is already there.
//
// Bytes are copied by the S3 server (CopyObject, UploadPartCopy for large files) when the run's
// store and the target are on one S3 service with one identity, else streamed through this process.
//
// A publish: reads the manifest (and the in-flight record a killed publish left), compares the
// tree it names with the run's, plans, writes
// the in-flight record, uploads stage 1, 2 and 3 (many at a time within a stage, the Release files
// one by one, InRelease last), deletes what was retired longer than the grace, writes the new
// manifest and removes the in-flight record. Killed at any point and run again, it resumes: files
// of the interrupted publish are checked with a HEAD (their SHA-256 is in their metadata) and not
// sent again, and the order holds, since each stage is complete before the next starts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "archive/tree_walk.h"
#include "publish/plan.h"
#include "publish/run_files.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::publish {

struct PublishOptions {
  int concurrency = 64;
  std::chrono::seconds grace = std::chrono::hours(24);
  bool dry_run = false;  // plan and report only
  // Withdrawn contents (retention/removal.h; Catalog::RemovedContents), sorted: their paths are
  // not written (no store has them; the target's copy was deleted when they were withdrawn).
  std::vector<archive::Sha256> withdrawn;
  // Called as each stage starts, with what it will write (from the publishing thread).
  std::function<void(Stage stage, size_t files, uint64_t bytes)> on_stage;
  // Called after each file of a stage is written, or found written by an interrupted publish
  // (from worker threads).
  std::function<void(const RunFile& file, Stage stage)> on_written;
};

struct PublishSummary {
  std::string run;
  size_t files = 0;  // in the run (symlinks expanded)
  size_t uploaded = 0;
  uint64_t uploaded_bytes = 0;
  size_t copied_server_side = 0;  // of uploaded
  size_t unchanged = 0;
  size_t resumed = 0;  // found already written by an interrupted publish
  size_t deleted = 0;
  size_t retired = 0;    // waiting out the grace
  size_t withdrawn = 0;  // of the files to write, those left out as withdrawn
  bool dry_run = false;
};

// Publishes run `run_id` of `archive`, whose tree is `root` (nodes from `nodes`, bytes from
// `source`, blobs by SHA-256), to `target`. What it writes and retires is what differs between
// the tree the target's manifest names and `root` (publish/run_files.h): a publish after another
// reads and writes in proportion to the change. On failure the target keeps its previous state
// for apt clients (the Release files are the last written) and a later publish resumes.
Result<PublishSummary> Publish(store::ObjectStore& source, archive::NodeSource& nodes,
                               const archive::Sha256& root, const std::string& archive,
                               const std::string& run_id, store::ObjectStore& target, Clock& clock,
                               const PublishOptions& options);

// Deletes what the target's manifest retired longer than `grace` ago (`publish --cleanup`).
Result<PublishSummary> Cleanup(store::ObjectStore& target, Clock& clock, std::chrono::seconds grace,
                               bool dry_run);

// The target's manifest; an empty one when the target has none yet.
Result<Manifest> ReadManifest(store::ObjectStore& target);

}  // namespace mv::publish
