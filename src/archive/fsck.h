// fsck: proves that every run in the store is whole — each run record parses, every tree node
// it reaches exists, hashes to its name and decodes, every file's blob exists with the size the
// tree says — and, with `deep`, re-hashes every blob. It also compares the catalog with the
// store. Read-only.
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
  size_t concurrency = 32;
};

struct FsckProblem {
  std::string where;  // "debian@20261122T101500Z:pool/main/a/apt/apt_2.6.1_amd64.deb", a key
  std::string what;   // "blob blobs/ab/cd/... is missing"
};

struct FsckReport {
  std::vector<FsckProblem> problems;
  // Not problems: runs committed in the store that recovery has not added to the catalog yet.
  std::vector<std::string> notes;
  size_t runs = 0;
  uint64_t nodes = 0;
  uint64_t blobs = 0;         // distinct blobs referenced
  uint64_t bytes_hashed = 0;  // deep only
};

// `catalog` may be null (store only). Fails only when the store cannot be listed at all; every
// other failure is a problem in the report.
Result<FsckReport> Fsck(store::ObjectStore& store, Catalog* catalog, const FsckOptions& options,
                        Progress* progress);

}  // namespace mv::archive
