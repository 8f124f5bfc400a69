// OpenRegionCache: the region cache assembled from the configuration, as `mirrorvault serve`
// runs it (region_cache.h): the [[region]]s' stores (created when missing), the copy state (in
// the catalog's database, or in Redis with [regioncache] state), origin URLs under
// [regioncache] allow, the expiry sweep started, a region whose state was lost rebuilt from its
// store, and the client regions by address (region_map.h).
#pragma once

#include <memory>
#include <string>

#include "db/database.h"
#include "regioncache/region_cache.h"
#include "regioncache/region_map.h"
#include "store/open_store.h"
#include "util/config_value.h"
#include "util/status.h"

namespace mv::regioncache {

struct OpenRegionCacheOptions {
  // Opens the regions' stores; its HTTP client fetches origin URLs.
  store::StoreContext stores;
  // The catalog's database: the copy state's home unless [regioncache] state names a Redis.
  std::shared_ptr<db::Database> catalog;
  std::string owner;  // this instance in claims (util/host.h ProcessIdentity())
};

struct OpenedRegionCache {
  std::unique_ptr<RegionCache> cache;  // null: the configuration has no [[region]]
  std::unique_ptr<RegionMap> map;      // null with it
};

// Errors name the setting they come from ("[[region]] NAME", "[regioncache] state",
// "[regioncache] allow"): InvalidArgument for a bad configuration, the store's or the state's
// errors when one cannot be opened. A region whose state cannot be rebuilt now is logged and
// left to the next start.
Result<OpenedRegionCache> OpenRegionCache(const ConfigValue& config,
                                          const OpenRegionCacheOptions& options);

}  // namespace mv::regioncache
