// The region cache's parsers over arbitrary text (regioncache/address.h, origin_policy.h,
// origin_fetch.h; redis/redis_client.h): address ranges, origin URLs against an allow list,
// redirect Locations, and redis:// state URLs. Nothing crashes; a range that parses prints back
// to one that parses to the same range and contains its own base; an allowed URL's normal form is
// allowed again as itself, and lies under the entry that allowed it; a redirect's Location
// resolves against an allowed URL to an absolute URL or a clear refusal; a Redis URL prints
// (without its password) as one that parses to the same server and database with no password.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "redis/redis_client.h"
#include "regioncache/address.h"
#include "regioncache/origin_fetch.h"
#include "regioncache/origin_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto r = mv::regioncache::ParseRange(text); r.ok()) {
    auto again = mv::regioncache::ParseRange(r->ToString());
    MV_FUZZ_CHECK(again.ok() && again->base == r->base && again->prefix == r->prefix, text);
    MV_FUZZ_CHECK(r->Contains(r->base), text);
  }
  static const auto policy = mv::regioncache::OriginPolicy::FromAllowList(
      {"https://artifacts.example.org/pub/", "http://127.0.0.1:8081/"});
  MV_FUZZ_CHECK(policy.ok(), "the allow list");
  if (auto allowed = policy->CheckUrl(text); allowed.ok()) {
    auto again = policy->CheckUrl(allowed->url);
    MV_FUZZ_CHECK(again.ok() && again->url == allowed->url, allowed->url);
    MV_FUZZ_CHECK(allowed->url.starts_with("https://artifacts.example.org/pub/") ||
                      allowed->url.starts_with("http://127.0.0.1:8081/"),
                  allowed->url);
  }
  if (auto next = mv::regioncache::ResolveRedirect("https://artifacts.example.org/pub/a/b?c", text);
      next.ok()) {
    MV_FUZZ_CHECK(next->find('#') == std::string::npos, *next);
    (void)policy->CheckUrl(*next);  // allowed or refused, never a crash
  } else {
    MV_FUZZ_CHECK(next.status().code() == mv::StatusCode::kPermissionDenied, text);
  }
  if (auto u = mv::redis::ParseRedisUrl(text); u.ok()) {
    auto again = mv::redis::ParseRedisUrl(u->ToString());
    MV_FUZZ_CHECK(again.ok() && again->host == u->host && again->port == u->port &&
                      again->db == u->db && again->password.empty(),
                  u->ToString());
  }
  return 0;
}
