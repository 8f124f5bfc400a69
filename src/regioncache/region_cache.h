// RegionCache: archive content, or an object of an allowed origin URL, copied into the
// requester's region on its first request, and a redirect to the regional copy for every request
// (docs/design.md section 12).
//
// Archive content is keyed by SHA-256 (the archive store's blob key), so its copy never goes
// stale. An origin URL's copy is keyed by the SHA-256 of its normalised URL ("url/<hex>"), keeps
// the origin's ETag and length (in the state and as the object's metadata), and is revalidated
// with a HEAD to the origin at most every `revalidate` per instance: a changed ETag or length
// drops the copy and makes it again; an origin that cannot be reached leaves the copy served. The
// first request for a key claims the copy (CopyState::ClaimCopy); every other request for it, in
// this process, waits on the same shared future (single_flight.h), and in other processes on the
// state. A request waits at most `wait` (config) for the copy, then is sent to the origin; the
// copy goes on, on a pool of kCopyThreads workers. A copy is made by the store itself when the
// archive store and the region are one S3 service (CopyFrom), else streamed through this process
// with its SHA-256 checked (copy_maker.h).
//
// A hit asks the state and touches the copy (LRU order, and the hold that keeps a copy a redirect
// points to) at most once a second per copy and instance; in between it is answered from memory.
// An operator's purge on another instance reaches this one within that second.
//
// Copies expire (region_expiry.h): after each copy, and on Expire(), a region's least recently
// used copies are deleted until it fits its budget, and copies unused for its ttl are deleted
// too; a copy a redirect handed out within its validity (presign ttl) is kept until that has
// passed.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "archive/ids.h"
#include "regioncache/copy_maker.h"
#include "regioncache/copy_state.h"
#include "regioncache/origin_fetch.h"
#include "regioncache/region_config.h"
#include "regioncache/region_expiry.h"
#include "regioncache/single_flight.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace mv::regioncache {

// Where an origin URL's copy lives in a region: this prefix and the URL's SHA-256 in hex.
inline constexpr std::string_view kUrlCopyPrefix = "url/";

// Copies made at once by one instance; more wait for a worker.
inline constexpr size_t kCopyThreads = 32;

struct Redirect {
  std::string location;   // the regional copy's URL, or the fallback
  bool hit = false;       // the copy existed before this request
  bool fallback = false;  // sent to the origin (the copy is not there yet, or failed)
  std::string reason;     // why it fell back
  Status failure;         // the copy's error, when it failed (PermissionDenied: a refused origin)
};

struct RegionStats {
  uint64_t hits = 0, misses = 0, copies = 0, copy_bytes = 0, fallbacks = 0, waits = 0,
           evictions = 0, copy_failures = 0;
  uint64_t server_copies = 0;  // of `copies`, made by the S3 server (CopyFrom)
  double copy_seconds = 0;
  int64_t in_flight = 0;
};

class RegionCache {
 public:
  // `stores`: each region's store, by region name. `owner` names this instance in claims.
  // `origins` fetches origin URLs (null: ForUrl is refused).
  RegionCache(RegionCacheConfig config,
              std::map<std::string, std::shared_ptr<store::ObjectStore>> stores,
              std::unique_ptr<CopyState> state, std::string owner, Clock* clock = nullptr,
              std::shared_ptr<const OriginFetcher> origins = nullptr);
  ~RegionCache();  // stops the expiry thread, waits for the copies queued or in flight

  // The redirect for blob `sha256` (`size` bytes) of `archive_store` in `region`. NotFound for
  // an unknown region; `fallback` is where to send the client when the copy is not there in time.
  // `hit_checked`: the caller's TryHit has just answered nullopt, so the copy is made or waited
  // for without asking again (a copy finished meanwhile is found by the claim).
  Result<Redirect> ForBlob(const std::string& region, store::ObjectStore& archive_store,
                           const archive::Sha256& sha256, uint64_t size,
                           const std::string& fallback, bool hit_checked = false);

  // The redirect to the copy when it is there already, without waiting for anything (nullopt:
  // ForBlob would have to make it or wait for it). NotFound for an unknown region.
  Result<std::optional<Redirect>> TryHit(const std::string& region, const archive::Sha256& sha256);

  // The redirect for the origin object `url` (as OriginPolicy::CheckUrl allowed it) in `region`;
  // the fallback is the origin URL itself. PermissionDenied when no origin is allowed.
  // (Its hit check follows the revalidation TryHitUrl leaves to it, so it is always made.)
  Result<Redirect> ForUrl(const std::string& region, const AllowedUrl& url);
  Result<std::optional<Redirect>> TryHitUrl(const std::string& region, const AllowedUrl& url);
  // The origin policy, when origin URLs are allowed.
  const OriginPolicy* origin_policy() const { return origins_ ? &origins_->policy() : nullptr; }
  // The key of an origin URL's copy: "url/" + the SHA-256 of the normalised URL, in hex.
  static std::string UrlKey(const std::string& normalized_url);

  // Deletes the copy of blob `sha256` (or with PurgeKey, of any key) from `region` now (an
  // operator's purge); NotFound when the region has none.
  Status Purge(const std::string& region, const archive::Sha256& sha256);
  Status PurgeKey(const std::string& region, const std::string& key);

  // Deletes what `region` must not keep (budget, ttl); how many copies were deleted.
  Result<int> Expire(const std::string& region);
  // Expires every region every `every`, on a thread of its own, until the cache is destroyed
  // (so that copies unused for their ttl go even when no copy is made); a region the state has
  // lost meanwhile is rebuilt first.
  void ExpireEvery(std::chrono::milliseconds every);

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
  // Makes the copy of one key in a region (CopyBlob for archive blobs, CopyUrl for origin URLs).
  using Maker = std::function<Result<MadeCopy>(const Region&)>;

  Result<std::string> UrlOf(const Region& region, const std::string& key);
  Result<std::optional<Redirect>> TryHitKey(const std::string& region, const std::string& key);
  // TryHitKey (unless `hit_checked`), else a fill of `key` (one per key in this process) waited
  // for up to the bound.
  Result<Redirect> Answer(const std::string& region, const std::string& key, Maker make,
                          const std::string& fallback, bool hit_checked);
  // Makes sure the copy exists (claiming, copying, or waiting for another instance's copy).
  Status Fill(const Region& region, const std::string& key, const Maker& make);
  // The copy `flight` (region/key) is ready: known so, without asking the state, for a while.
  void Remember(const std::string& flight, std::chrono::milliseconds hold) EXCLUDES(mu_);
  // A URL copy whose validation is due is checked against the origin (HEAD): dropped when the
  // origin's ETag or length changed.
  Status Revalidate(const std::string& region, const AllowedUrl& url, const std::string& key);
  bool ValidationDue(const std::string& flight) EXCLUDES(mu_);
  void Validated(const std::string& flight) EXCLUDES(mu_);

  const RegionCacheConfig config_;
  std::map<std::string, Region> regions_;
  std::unique_ptr<CopyState> state_;
  const std::string owner_;
  Clock& clock_;
  std::shared_ptr<const OriginFetcher> origins_;
  const CopyMaker maker_;

  // Copies known ready, and until when that knowledge is used without asking the state (and
  // without touching it again): hits need no state query. Fresh for min(1 s, hold / 2), so a
  // copy redirected to from memory was touched, and so held, within its hold.
  struct Known {
    std::chrono::steady_clock::time_point fresh_until;
  };
  mutable util::Mutex mu_;
  // By region/key; cleared when large.
  std::map<std::string, Known> known_ GUARDED_BY(mu_);
  // URL copies checked against their origin, and when the next check is due.
  std::map<std::string, std::chrono::steady_clock::time_point> validated_ GUARDED_BY(mu_);
  std::map<std::string, RegionStats> stats_ GUARDED_BY(mu_);

  // Last, so destroyed first: the sweeps stop and the fills finish while all they use is here.
  RegionExpiry expiry_;
  SingleFlight flights_;  // by region/key
};

}  // namespace mv::regioncache
