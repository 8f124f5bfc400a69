// Copies between local files and stores, one object or a whole tree, many at a time: the engine
// of `mirrorvault store cp`. Same-store copies are server-side; store-to-store copies between
// different stores stream through memory (small objects) or a temporary file (large ones).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/object_store.h"

namespace mv::store {

// One side of a copy: a local path, or a key (a prefix when recursive) in a store.
struct Endpoint {
  std::shared_ptr<ObjectStore> store;  // null for a local path
  std::string path;                    // the local path, or the key/prefix in `store`
  std::string display;                 // as the user wrote it, for messages

  bool is_local() const { return store == nullptr; }
};

struct CopyOptions {
  bool recursive = false;
  int concurrency = 64;
  // Called after each object is copied (from worker threads).
  std::function<void(const std::string& key, uint64_t bytes)> on_copied;
  // Called once the total is known (recursive copies), before copying starts.
  std::function<void(uint64_t objects, uint64_t bytes)> on_planned;
};

struct CopyFailure {
  std::string source;
  Status status;
};

struct CopySummary {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  std::vector<CopyFailure> failures;
  std::chrono::steady_clock::duration elapsed{};
};

// Plans and runs the copy. Per-object failures are collected in the summary (the copy goes on);
// the returned status is for failures that stop everything (a bad source, a listing error).
Result<CopySummary> CopyObjects(const Endpoint& src, const Endpoint& dst,
                                const CopyOptions& options);

}  // namespace mv::store
