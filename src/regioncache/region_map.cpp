#include "regioncache/region_map.h"

#include "util/strings.h"

namespace mv::regioncache {

RegionMap::RegionMap(const RegionCacheConfig& config)
    : default_region_(config.default_region), trusted_(config.trusted_proxies) {
  for (const RegionConfig& r : config.regions) {
    for (const AddressRange& range : r.cidrs) table_.emplace_back(range, r.name);
  }
}

bool RegionMap::Trusted(const IpAddress& a) const {
  for (const AddressRange& r : trusted_) {
    if (r.Contains(a)) return true;
  }
  return false;
}

IpAddress RegionMap::ClientAddress(const IpAddress& peer, std::string_view xff) const {
  if (!Trusted(peer) || Trim(xff).empty()) return peer;
  IpAddress client = peer;
  // From the right: each hop was appended by the proxy before it.
  while (!xff.empty()) {
    const size_t comma = xff.rfind(',');
    std::string_view hop = Trim(comma == std::string_view::npos ? xff : xff.substr(comma + 1));
    xff = comma == std::string_view::npos ? std::string_view() : xff.substr(0, comma);
    Result<IpAddress> a = ParseAddress(hop);
    if (!a.ok()) return client;  // garbage: trust nothing further left
    client = *a;
    if (!Trusted(client)) return client;
  }
  return client;
}

Result<std::string> RegionMap::RegionFor(const IpAddress& peer, std::string_view xff) const {
  const IpAddress client = ClientAddress(peer, xff);
  const std::pair<AddressRange, std::string>* best = nullptr;
  for (const auto& entry : table_) {
    if (entry.first.Contains(client) &&
        (best == nullptr || entry.first.prefix > best->first.prefix)) {
      best = &entry;
    }
  }
  if (best != nullptr) return best->second;
  if (!default_region_.empty()) return default_region_;
  return NotFound("no region for " + client.ToString() +
                  ": no [[region]] cidrs match it and there is no default_region");
}

}  // namespace mv::regioncache
