// fsck: proves that every run in the store is whole — each run record parses, every tree node
// it reaches exists, hashes to its name and decodes, every file's blob exists with the size the
// tree says — and, with `deep`, re-hashes every blob. It also compares the catalog with the
// store. Read-only in the store.
//
// Incremental with a catalog: a clean pass records in the catalog the runs and directories it
// found whole, and the next pass checks only runs not recorded, and in them only directories not
// recorded (a later run shares most of its tree with the one before), asking the store for each
// new blob instead of listing every blob. Its cost then follows what changed since the last
// pass. `full` checks everything again (objects lost from the bucket behind mirrorvault's back
// are found only so), forgetting the records first and making them anew if the pass is clean.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/catalog.h"
#include "store/object_store.h"
#include "util/progress.h"

namespace mv::archive {

struct FsckOptions {
  bool deep = false;
  bool full = false;  // ignore what earlier passes verified (always so without a catalog)
  size_t concurrency = 32;
  // Up to this many blobs to check, each is asked of the store (HEAD); more, the blobs/ listing
  // is read once (the cheaper of the two for a first pass over a large store).
  size_t head_each_up_to = 50000;
};

struct FsckProblem {
  std::string where;  // "debian@20261122T101500Z:pool/main/a/apt/apt_2.6.1_amd64.deb", a key
  std::string what;   // "blob blobs/ab/cd/... is missing"
};

struct FsckReport {
  std::vector<FsckProblem> problems;
  // Not problems: runs committed in the store that recovery has not added to the catalog yet.
  std::vector<std::string> notes;
  size_t runs = 0;                  // run records in the store
  size_t runs_verified_before = 0;  // of which an earlier pass verified (not checked again)
  size_t runs_deleted = 0;          // tombstones in the store
  size_t removals = 0;              // removal records in the store (archive/removal.h)
  uint64_t blobs_withdrawn = 0;     // referenced blobs absent because a removal withdrew them
  uint64_t nodes = 0;               // tree nodes checked
  uint64_t blobs = 0;               // distinct blobs referenced
  uint64_t bytes_hashed = 0;        // deep only
};

// `catalog` may be null (store only). Fails only when the store cannot be listed at all; every
// other failure is a problem in the report.
Result<FsckReport> Fsck(store::ObjectStore& store, Catalog* catalog, const FsckOptions& options,
                        Progress* progress);

}  // namespace mv::archive
