// Which region a client belongs to (`/redirect/v1/auto/...`): its address, the longest matching
// CIDR of the regions' tables, else the default region. The address is the connection's peer,
// unless the peer is a trusted proxy: then X-Forwarded-For is read from the right, skipping
// trusted proxies, and the first address that is not one is the client's. X-Forwarded-For from
// any other peer is ignored, so a client cannot choose its region by forging the header.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regioncache/address.h"
#include "regioncache/region_config.h"

namespace mv::regioncache {

class RegionMap {
 public:
  explicit RegionMap(const RegionCacheConfig& config);

  // The client's address as the rule above reads it.
  IpAddress ClientAddress(const IpAddress& peer, std::string_view x_forwarded_for) const;
  // The client's region; NotFound when no CIDR matches and there is no default region.
  Result<std::string> RegionFor(const IpAddress& peer, std::string_view x_forwarded_for) const;

 private:
  bool Trusted(const IpAddress& a) const;

  std::vector<std::pair<AddressRange, std::string>> table_;
  std::string default_region_;
  std::vector<AddressRange> trusted_;
};

}  // namespace mv::regioncache
