// The archive as the server reads it: run lists, timestamp resolution, path lookups and directory
// listings, over the catalog and the store, with bounded in-memory caches in front. Trees are
// immutable (a path of a run always names the same entry), so lookups and listings are cached
// until evicted; run lists change when a run is committed, so they are cached for a short TTL,
// after which the archive's change counter says whether (and how) to read runs again.
// With warm caches a file lookup touches neither the catalog nor the store.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archive/catalog.h"
#include "archive/tree.h"
#include "archive/tree_walk.h"
#include "server/lru_cache.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::server {

struct ArchiveViewOptions {
  // How long a run list is trusted before the catalog is asked again (a new run shows up at
  // "now" within this).
  std::chrono::milliseconds run_list_ttl{2000};
  size_t lookup_cache_entries = 200000;   // resolved paths
  size_t listing_cache_entries = 500000;  // directory entries, summed over cached listings
};

// A run as the server needs it (the run record's JSON is not kept).
struct RunInfo {
  std::string archive;
  RunId run_id;
  archive::Sha256 root{};
  uint64_t files = 0;
  uint64_t bytes = 0;
};
using RunList = std::vector<RunInfo>;  // ascending run id

struct ViewStats {
  uint64_t lookup_hits = 0, lookup_misses = 0;
  uint64_t listing_hits = 0, listing_misses = 0;
  uint64_t run_list_hits = 0, run_list_misses = 0;
  uint64_t run_rows_read = 0;  // runs read from the catalog to build or bring run lists up to date
};

class ArchiveView {
 public:
  ArchiveView(archive::Catalog* catalog, std::unique_ptr<archive::NodeSource> nodes, Clock& clock,
              ArchiveViewOptions options = {});

  // Archive names in byte order.
  Result<std::vector<std::string>> Archives();
  // The runs of `archive`, ascending; NotFound naming the archive when it has none.
  Result<std::shared_ptr<const RunList>> Runs(std::string_view archive);
  // The run a URL's timestamp names: "now" (the latest), a run id, or a shortened form
  // ("20240229": the latest run at or before its end). InvalidArgument for a bad timestamp;
  // NotFound naming the archive, the moment and the earliest run when none is at or before it.
  Result<RunInfo> Resolve(std::string_view archive, std::string_view timestamp);

  // The entry at `path` in `run` ("" is the root), following symlinks as
  // archive::ResolvePath does. NotFound names the path.
  Result<archive::TreeEntry> Lookup(const RunInfo& run, std::string_view path);
  // The entries of the directory whose id is `dir`, sorted by name.
  Result<std::shared_ptr<const std::vector<archive::TreeEntry>>> List(const archive::Sha256& dir);

  ViewStats Stats() const;

 private:
  struct CachedRuns {
    std::shared_ptr<const RunList> runs;
    int64_t changes = 0;  // the catalog's RunChanges when `runs` was read
    std::chrono::steady_clock::time_point fetched;
  };
  struct CachedLookup {
    bool found = false;
    archive::TreeEntry entry;
    Status error;
  };
  Result<std::shared_ptr<const RunList>> FetchRuns(std::string_view archive, bool force);

  archive::Catalog* catalog_;
  std::unique_ptr<archive::NodeSource> nodes_;
  Clock& clock_;
  ArchiveViewOptions options_;
  LruCache<CachedRuns> runs_{4096};
  LruCache<CachedLookup> lookups_;
  LruCache<std::vector<archive::TreeEntry>> listings_;
  mutable std::atomic<uint64_t> lookup_hits_{0}, lookup_misses_{0}, listing_hits_{0},
      listing_misses_{0}, run_hits_{0}, run_misses_{0}, run_rows_read_{0};
};

}  // namespace mv::server
