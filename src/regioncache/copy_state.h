// CopyState: what the region cache knows of its copies (docs/design.md section 12), shared by every
// server instance: which copies exist in which region, which are being made and by whom, when
// each was last used, and which are in use by a redirect still valid. It is a cache of the
// regions' stores: a copy it has lost is made again on its next request.
//
// The first request for a copy claims it atomically (Claim inserts a unique row; only one
// claimant wins); the others wait for it, in-process through a shared future and across
// instances through AwaitChange (polling the catalog; Redis pub/sub, polling as a backstop). A
// claim whose owner stopped renewing it (a crashed server) is taken over after `stale_claim`.
//
// The state can be lost (a Redis without persistence restarted) while the copies stay in the
// regions' stores: RegionCache::Rebuild restores it from a store's listing (RestoreCopy) when
// the state has no record of having been built for the region (IsBuilt, MarkBuilt).
//
// CatalogCopyState keeps it in the catalog (SQLite or PostgreSQL), the embedded default;
// RedisCopyState (redis_copy_state.h) in Redis. Both are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::regioncache {

using TimePoint = std::chrono::system_clock::time_point;

struct CopyEntry {
  std::string region;
  std::string key;  // the copy's key in the region's store
  bool ready = false;
  std::string owner;  // who makes it (while not ready)
  uint64_t size = 0;
  std::string etag;  // the origin's (URL copies), checked on the next fill
  TimePoint claimed;
  TimePoint last_used;
  TimePoint in_use_until;  // a redirect to it is valid until then: not evicted before
};

enum class ClaimOutcome { kReady, kClaimed, kInProgress };

struct Claim {
  ClaimOutcome outcome = ClaimOutcome::kInProgress;
  CopyEntry entry;
};

class CopyState {
 public:
  virtual ~CopyState() = default;
  // Ready: the copy exists (its entry). Claimed: the caller makes it now. InProgress: someone
  // else does (the entry names the owner and since when).
  virtual Result<Claim> ClaimCopy(const std::string& region, const std::string& key,
                                  const std::string& owner) = 0;
  // The claim is still being worked on (call every stale_claim / 3 during long copies).
  virtual Status RenewClaim(const std::string& region, const std::string& key,
                            const std::string& owner) = 0;
  // The copy is made: ready, with its size and origin ETag, and held for `in_use` (the redirects
  // about to be given). PreconditionFailed when the claim was taken over meanwhile.
  virtual Status CompleteCopy(const std::string& region, const std::string& key,
                              const std::string& owner, uint64_t size, const std::string& etag,
                              std::chrono::milliseconds in_use) = 0;
  // The copy failed: the claim is dropped so that the next request tries again.
  virtual Status AbandonCopy(const std::string& region, const std::string& key,
                             const std::string& owner) = 0;
  virtual Result<std::optional<CopyEntry>> Get(const std::string& region,
                                               const std::string& key) = 0;
  // A redirect to the copy was just given, valid for `in_use`: LRU order, and not evicted before.
  virtual Status Touch(const std::string& region, const std::string& key,
                       std::chrono::milliseconds in_use) = 0;
  // Ready copies of `region`, least recently used first.
  virtual Result<std::vector<CopyEntry>> ListReady(const std::string& region) = 0;
  // Forgets a copy (after the store deleted it, or when it is gone).
  virtual Status Forget(const std::string& region, const std::string& key) = 0;

  // Blocks until the entry of region/key may have changed (another instance completed, abandoned
  // or forgot it, or its claim went stale) or `timeout` has passed; a hint only, so callers look
  // again (ClaimCopy). Catalog: sleeps min(timeout, 100 ms) on the clock. Redis: waits for the
  // key's message on a connection of its own, at most `timeout`.
  virtual void AwaitChange(const std::string& region, const std::string& key,
                           std::chrono::milliseconds timeout) = 0;

  // Adds `entry` (ready, found in the region's store) unless the state has an entry for its
  // key already, which is kept as it is (a copy made or being made since). True when added.
  virtual Result<bool> RestoreCopy(const CopyEntry& entry) = 0;
  // Whether the state of `region` was built (MarkBuilt) and not lost since.
  virtual Result<bool> IsBuilt(const std::string& region) = 0;
  virtual Status MarkBuilt(const std::string& region) = 0;
};

struct CatalogCopyStateOptions {
  std::chrono::milliseconds stale_claim{60'000};
  Clock* clock = nullptr;  // SystemClock() when null
};

// The state in the catalog's regioncache_copies table (migrations applied here).
Result<std::unique_ptr<CopyState>> OpenCatalogCopyState(std::shared_ptr<db::Database> database,
                                                        CatalogCopyStateOptions options = {});

}  // namespace mv::regioncache
