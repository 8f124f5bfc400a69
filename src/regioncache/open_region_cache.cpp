#include "regioncache/open_region_cache.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "regioncache/redis_copy_state.h"
#include "regioncache/region_config.h"
#include "util/log.h"

namespace mv::regioncache {

Result<OpenedRegionCache> OpenRegionCache(const ConfigValue& config,
                                          const OpenRegionCacheOptions& options) {
  MV_ASSIGN_OR_RETURN(std::optional<RegionCacheConfig> read, ReadRegionCacheConfig(config));
  OpenedRegionCache opened;
  if (!read || read->regions.empty()) return opened;
  const RegionCacheConfig& rc = *read;
  std::map<std::string, std::shared_ptr<store::ObjectStore>> stores;
  store::StoreContext region_context = options.stores;
  region_context.create = true;
  for (const RegionConfig& r : rc.regions) {
    Result<std::shared_ptr<store::ObjectStore>> store = store::OpenStore(r.store, region_context);
    if (!store.ok()) return store.status().WithContext("[[region]] " + r.name);
    stores[r.name] = *store;
  }
  Result<std::unique_ptr<CopyState>> state =
      rc.state.empty() ? OpenCatalogCopyState(options.catalog) : OpenRedisCopyState(rc.state);
  if (!state.ok()) return state.status().WithContext("[regioncache] state");
  // Origin URLs (/redirect/v1/<region>/url?u=...) only under the allow list.
  std::shared_ptr<const OriginFetcher> origins;
  if (!rc.allow.empty()) {
    Result<OriginPolicy> policy = OriginPolicy::FromAllowList(rc.allow);
    if (!policy.ok()) return policy.status().WithContext("[regioncache] allow");
    origins = std::make_shared<const OriginFetcher>(std::move(*policy), options.stores.http);
  }
  opened.cache = std::make_unique<RegionCache>(rc, std::move(stores), std::move(*state),
                                               options.owner, nullptr, std::move(origins));
  // Copies unused for their ttl go even when no copy is made: each region is swept at a
  // quarter of its ttl, at least every minute.
  std::chrono::milliseconds sweep = std::chrono::minutes(1);
  for (const RegionConfig& r : rc.regions) {
    sweep =
        std::min(sweep, std::max<std::chrono::milliseconds>(r.ttl / 4, std::chrono::seconds(1)));
  }
  opened.cache->ExpireEvery(sweep);
  // A state that lost a region (Redis restarted without persistence) is rebuilt from the
  // region's store; a failure leaves it to the next start.
  for (const RegionConfig& r : rc.regions) {
    if (Result<int> rebuilt = opened.cache->Rebuild(r.name); !rebuilt.ok()) {
      LogWarn("region state not rebuilt", {{"region", r.name}, {"error", rebuilt.status()}});
    }
  }
  opened.map = std::make_unique<RegionMap>(rc);
  return opened;
}

}  // namespace mv::regioncache
