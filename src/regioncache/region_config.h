// The region cache's configuration (docs/design.md section 12):
//
//   [server]
//   trusted_proxies = ["127.0.0.1/32"]       # whose X-Forwarded-For names the client
//
//   [regioncache]
//   state = "redis://127.0.0.1:6379/0"        # or none: the catalog holds the state
//   allow = ["https://artifacts.example.org/", "http://127.0.0.1:8081/"]   # origin URL prefixes
//   default_region = "us-east-1"
//   wait = "20s"                              # a request waits this long for a copy, then 302s
//                                             # to the origin
//   revalidate = "5m"                         # an origin URL's copy is checked against the
//                                             # origin (ETag, length) at most this often
//
//   [[region]]
//   name = "us-east-1"
//   store = "s3://cache-us-east-1/?endpoint=..."   # or file:///srv/cache
//   budget = "500GB"                          # least recently used copies go beyond it
//   ttl = "7d"                                # and copies unused for this long
//   cidrs = ["3.0.0.0/9"]                     # clients here get this region from /auto/
//   redirect = "presigned"                    # or "public" with public_base = "https://..."
//   presign_ttl = "10m"
//   hold = "10s"                              # a copy just redirected to is kept this long even
//                                             # over budget (default: presign_ttl when presigned,
//                                             # 10 s when public)
//
// An allow entry that starts with http:// allows plain HTTP under that prefix (HTTPS is required
// elsewhere); one whose host is an IP literal of a loopback, private or link-local address allows
// that address (such origins are refused otherwise).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regioncache/address.h"
#include "util/config_value.h"
#include "util/status.h"

namespace mv::regioncache {

enum class RedirectMode { kPresigned, kPublic };

struct RegionConfig {
  std::string name;
  std::string store;    // a store URL
  uint64_t budget = 0;  // bytes; 0: no size limit
  std::chrono::milliseconds ttl{std::chrono::hours(24 * 7)};
  std::vector<AddressRange> cidrs;
  RedirectMode redirect = RedirectMode::kPresigned;
  std::string public_base;  // with kPublic: the copy of key K is at public_base + K
  std::chrono::seconds presign_ttl{600};
  std::optional<std::chrono::milliseconds> hold;
  // How long a copy is kept after a redirect to it, whatever the budget says.
  std::chrono::milliseconds Hold() const {
    if (hold) return *hold;
    return redirect == RedirectMode::kPresigned
               ? std::chrono::duration_cast<std::chrono::milliseconds>(presign_ttl)
               : std::chrono::milliseconds(10'000);
  }
};

struct RegionCacheConfig {
  std::string state;               // "redis://..." or "" (the catalog)
  std::vector<std::string> allow;  // origin URL prefixes, as written
  std::string default_region;
  std::chrono::milliseconds wait{20'000};
  // An origin URL's copy is checked against the origin (HEAD: ETag, length) at most this often.
  std::chrono::milliseconds revalidate{std::chrono::minutes(5)};
  std::vector<AddressRange> trusted_proxies;
  std::vector<RegionConfig> regions;

  const RegionConfig* Find(std::string_view name) const;
};

// The region cache's sections of `document`; nullopt when it has no [[region]]. InvalidArgument
// naming the file, line and key for an unknown key, a bad CIDR, size or duration, two regions of
// one name, a public redirect without public_base, a default region that is not a region, or an
// allow entry that is not an http(s) URL prefix.
Result<std::optional<RegionCacheConfig>> ReadRegionCacheConfig(const ConfigValue& document);

}  // namespace mv::regioncache
