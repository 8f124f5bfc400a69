// RegionCache: archive content copied into the requester's region on its first request, and a
// redirect to the regional copy for every request (DESIGN.md section 9).
//
// Copies are keyed by SHA-256 (the archive store's blob key), so a copy never goes stale. The
// first request for a key claims the copy (CopyState::ClaimCopy); every other request for it, in
// this process, waits on the same shared future, and in other processes on the state. A request
// waits at most `wait` (config) for the copy, then is sent to the origin; the copy goes on. A
// copy is made by the store itself when the archive store and the region are one S3 service
// (CopyFrom), else streamed through this process with its SHA-256 checked.
//
// A hit asks the state and touches the copy (LRU order, and the hold that keeps a copy a redirect
// points to) at most once a second per copy and instance; in between it is answered from memory.
// An operator's purge on another instance reaches this one within that second.
//
// Copies expire: after each copy, and on Expire(), a region's least recently used copies are
// deleted until it fits its budget, and copies unused for its ttl are deleted too; a copy a
// redirect handed out within its validity (presign ttl) is kept until that has passed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "archive/ids.h"
#include "regioncache/copy_state.h"
#include "regioncache/region_config.h"
#include "store/object_store.h"
#include "util/clock.h"

namespace mv::regioncache {

struct Redirect {
  std::string location;  // the regional copy's URL, or the fallback
  bool hit = false;       // the copy existed before this request
  bool fallback = false;  // sent to the origin (the copy is not there yet, or failed)
  std::string reason;     // why it fell back
};

struct RegionStats {
  uint64_t hits = 0, misses = 0, copies = 0, copy_bytes = 0, fallbacks = 0, waits = 0,
           evictions = 0, copy_failures = 0;
  double copy_seconds = 0;
  int64_t in_flight = 0;
};

class RegionCache {
 public:
  // `stores`: each region's store, by region name. `owner` names this instance in claims.
  RegionCache(RegionCacheConfig config, std::map<std::string, std::shared_ptr<store::ObjectStore>> stores,
              std::unique_ptr<CopyState> state, std::string owner, Clock* clock = nullptr);
  ~RegionCache();  // waits for copies in flight

  // The redirect for blob `sha256` (`size` bytes) of `archive_store` in `region`. NotFound for
  // an unknown region; `fallback` is where to send the client when the copy is not there in time.
  Result<Redirect> ForBlob(const std::string& region, store::ObjectStore& archive_store,
                           const archive::Sha256& sha256, uint64_t size,
                           const std::string& fallback);

  // The redirect to the copy when it is there already, without waiting for anything (nullopt:
  // ForBlob would have to make it or wait for it). NotFound for an unknown region.
  Result<std::optional<Redirect>> TryHit(const std::string& region, const archive::Sha256& sha256);

  // Deletes the copy of blob `sha256` from `region` now (an operator's purge); NotFound when
  // the region has none.
  Status Purge(const std::string& region, const archive::Sha256& sha256);

  // Deletes what `region` must not keep (budget, ttl); how many copies were deleted.
  Result<int> Expire(const std::string& region);

  // When the state has no record of having been built for `region` (a Redis state lost, a
  // catalog state from before the record existed): every copy in the region's store becomes a
  // ready entry (unless the state has one for it), last used at its modification time but no
  // earlier than ttl / 2 ago, and held for the region's hold; then the region is marked built.
  // How many entries were added (0 when the state was built). Defined in region_rebuild.cpp.
  Result<int> Rebuild(const std::string& region);

  std::map<std::string, RegionStats> Stats() const;
  const RegionCacheConfig& config() const { return config_; }

 private:
  struct Region {
    const RegionConfig* config = nullptr;
    std::shared_ptr<store::ObjectStore> store;
  };
  Result<std::string> UrlOf(const Region& region, const std::string& key);
  // Makes sure the copy exists (claiming, copying, or waiting for another instance's copy).
  Status Fill(const Region& region, store::ObjectStore& archive_store,
              const archive::Sha256& sha256, uint64_t size);
  // The copy `flight` (region/key) is ready: known so, without asking the state, for a while.
  void Remember(const std::string& flight, std::chrono::milliseconds hold);
  Status Copy(const Region& region, store::ObjectStore& archive_store,
              const archive::Sha256& sha256, uint64_t size);

  const RegionCacheConfig config_;
  std::map<std::string, Region> regions_;
  std::unique_ptr<CopyState> state_;
  const std::string owner_;
  Clock& clock_;

  // Copies known ready, and until when that knowledge is used without asking the state (and
  // without touching it again): hits need no state query. Fresh for min(1 s, hold / 2), so a
  // copy redirected to from memory was touched, and so held, within its hold.
  struct Known {
    std::chrono::steady_clock::time_point fresh_until;
  };
  std::map<std::string, Known> known_;  // GUARDED_BY(mu_), by region/key; cleared when large

  mutable std::mutex mu_;
  std::map<std::string, std::shared_future<Status>> in_flight_;  // GUARDED_BY(mu_), by region/key
  std::map<std::string, RegionStats> stats_;                     // GUARDED_BY(mu_)
  int copying_ = 0;               // GUARDED_BY(mu_): copy threads running
  std::condition_variable idle_;  // signalled when copying_ drops
};

}  // namespace mv::regioncache
