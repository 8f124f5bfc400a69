// Which origin URLs the region cache may fetch (`/redirect/v1/<region>/url?u=...`), against
// server-side request forgery: an allow list of URL prefixes, checked on the URL asked for and on
// every redirect hop of the fetch, and on every address the host resolves to.
//
// - URLs are compared in their normalised form (RFC 3986 section 6: lower-case scheme and host,
//   percent-encoding normalised, dot segments removed, default port dropped); credentials and
//   fragments are refused. An entry matches at a path boundary: "https://a.org/pub" allows
//   "https://a.org/pub/x" and "https://a.org/pub", never "https://a.org/public" or
//   "https://a.org.evil.example/".
// - HTTPS only, unless the entry that allows the URL is itself http://.
// - A host that resolves to a loopback, private, link-local (the cloud metadata service),
//   unspecified, multicast or reserved address is refused, unless the allowing entry names that
//   address as its host (an IP literal), or is "localhost" and the address is loopback.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regioncache/address.h"
#include "util/status.h"

namespace mv::regioncache {

struct AllowedUrl {
  std::string url;   // normalised: what is fetched, and the cache key's basis
  std::string host;  // lower-case; an IPv6 literal without brackets
  uint16_t port = 0;
  bool https = true;
  size_t rule = 0;  // the allow entry that matched
};

class OriginPolicy {
 public:
  // InvalidArgument naming an entry that is not an absolute http(s) URL.
  static Result<OriginPolicy> FromAllowList(const std::vector<std::string>& allow);

  // PermissionDenied saying why `url` may not be fetched (not in the allow list, plain HTTP,
  // credentials); InvalidArgument when it is not a URL at all.
  Result<AllowedUrl> CheckUrl(std::string_view url) const;
  // PermissionDenied when the host of `url` (as CheckUrl returned it) may not be reached at `a`.
  Status CheckAddress(const AllowedUrl& url, const IpAddress& a) const;

  // The normalised form of an absolute http(s) URL (as CheckUrl compares it).
  static Result<std::string> Normalize(std::string_view url);

 private:
  struct Rule {
    std::string prefix;  // normalised
    bool http = false;
    std::string host;
    std::optional<IpAddress> literal;
  };
  std::vector<Rule> rules_;
};

}  // namespace mv::regioncache
