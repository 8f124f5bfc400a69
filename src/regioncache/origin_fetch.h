// OriginFetcher: fetches origin URLs for the region cache (`/redirect/v1/<region>/url?u=...`)
// under the OriginPolicy, so that the server cannot be made to fetch what it must not.
//
// Every hop is checked: the URL asked for, and each redirect's Location (301, 302, 303, 307,
// 308; at most 5), against the allow list and the HTTPS rule; and each address the hop's host
// resolves to, against the address rules. The fetcher resolves the host itself and pins the
// transfer to the addresses it checked (no second lookup a rebinding DNS server could answer
// differently), on a fresh connection that is not reused (no connection opened to another
// address under the same name), and without a proxy from the environment.
//
// A fetch keeps the origin's ETag and length: the body must be as long as the origin said
// (Content-Length), else the fetch fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "regioncache/origin_policy.h"
#include "util/io.h"
#include "util/status.h"

namespace mv::regioncache {

struct OriginObject {
  std::string url;  // the URL that answered (after redirects), normalised
  uint64_t length = 0;
  std::string etag;  // as the origin sent it ("" when it sent none)
  std::string content_type;
};

// A redirect's Location (absolute, or relative to `base`) as an absolute URL without fragment;
// PermissionDenied naming both when it is not a URL reference.
Result<std::string> ResolveRedirect(const std::string& base, std::string_view location);

// The addresses `host` resolves to (an IP literal resolves to itself).
using Resolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;
Resolver SystemResolver();  // getaddrinfo

class OriginFetcher {
 public:
  OriginFetcher(OriginPolicy policy, std::shared_ptr<http::HttpClient> http,
                Resolver resolver = SystemResolver());

  const OriginPolicy& policy() const { return policy_; }

  // The origin's length and ETag (a HEAD, redirects followed under the policy), within
  // `timeout` for each hop (0: no limit but the stall timeout).
  Result<OriginObject> Head(const AllowedUrl& url, std::chrono::seconds timeout = {}) const;
  // The object's bytes into `sink`. PermissionDenied when a hop is refused; NotFound for 404;
  // Unavailable for transport failures and 5xx; DataLoss when the body is not the announced length.
  Result<OriginObject> Get(const AllowedUrl& url, Writer& sink) const;

 private:
  Result<OriginObject> Fetch(http::Method method, const AllowedUrl& url, Writer* sink,
                             std::chrono::seconds timeout) const;

  OriginPolicy policy_;
  std::shared_ptr<http::HttpClient> http_;
  Resolver resolver_;
};

}  // namespace mv::regioncache
