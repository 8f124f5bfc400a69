// RegionCache::Rebuild: the copy state of a region restored from its store's listing, after
// the state was lost (region_cache.h).
#include "regioncache/region_cache.h"
#include "util/log.h"

namespace mv::regioncache {

Result<int> RegionCache::Rebuild(const std::string& region_name) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  MV_ASSIGN_OR_RETURN(bool built, state_->IsBuilt(region_name));
  if (built) return 0;
  const TimePoint now = clock_.Now();
  // Copies older than that keep their age for LRU order, but none is expired by ttl before
  // half of it has passed: the state does not know when they were last used.
  const TimePoint oldest = now - region.config->ttl / 2;
  const std::chrono::milliseconds hold = region.config->Hold();
  int restored = 0;
  Status failed;
  // Archive content under its blob key; origin URLs under "url/<64 hex>" (their ETag is not in
  // the listing: the next check against the origin compares the length only).
  auto is_copy = [](const std::string& key) {
    if (archive::ParseBlobKey(key).ok()) return true;
    const size_t n = kUrlCopyPrefix.size();
    if (!key.starts_with(kUrlCopyPrefix) || key.size() != n + 64) return false;
    return key.find_first_not_of("0123456789abcdef", n) == std::string::npos;
  };
  for (const std::string& prefix :
       {std::string(archive::kBlobsPrefix), std::string(kUrlCopyPrefix)}) {
    MV_RETURN_IF_ERROR(region.store->ListAll({.prefix = prefix}, [&](const store::ListPage& page) {
      for (const store::ObjectInfo& o : page.objects) {
        if (!is_copy(o.key)) continue;  // not a copy
        const TimePoint used = std::clamp(TimePoint(o.last_modified), oldest, now);
        Result<bool> added = state_->RestoreCopy(CopyEntry{.region = region_name,
                                                           .key = o.key,
                                                           .ready = true,
                                                           .size = o.size,
                                                           .claimed = used,
                                                           .last_used = used,
                                                           .in_use_until = now + hold});
        if (!added.ok()) {
          failed = added.status();
          return false;
        }
        if (*added) ++restored;
      }
      return true;
    }));
    MV_RETURN_IF_ERROR(failed);
  }
  MV_RETURN_IF_ERROR(state_->MarkBuilt(region_name));
  LogInfo("region state rebuilt from its store", {{"region", region_name}, {"copies", restored}});
  return restored;
}

}  // namespace mv::regioncache
