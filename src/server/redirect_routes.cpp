// /redirect/v1/<region>/file/<hash>, /redirect/v1/<region>/archive/<a>/<ts>/<path> and
// /redirect/v1/<region>/url?u=<origin URL>: a 302 to the copy of that content in the region
// (regioncache/region_cache.h), made on the first request; "auto" picks the client's region by its
// address (regioncache/region_map.h). When the copy is not there in time, a 302 to the origin:
// this server's own URL for archive content, the origin URL itself for a url route.
#include <boost/json.hpp>

#include "regioncache/region_cache.h"
#include "regioncache/region_map.h"
#include "server/admin_api.h"
#include "server/html.h"
#include "server/serve_context.h"
#include "util/log.h"

namespace mv::server {
namespace {

namespace json = boost::json;

httpd::Response JsonError(int status, const std::string& message) {
  httpd::Response r =
      httpd::JsonResponse(status, json::serialize(json::object{{"error", message}}));
  r.Set("Cache-Control", "no-store");
  r.route = "redirect";
  return r;
}

// A header value without control bytes, at most 200 of them.
std::string HeaderSafe(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && out.size() < 200) out += c;
  }
  return out;
}

httpd::Response Answered(const std::string& region, const regioncache::Redirect& answer) {
  httpd::Response r = httpd::RedirectResponse(302, answer.location);
  r.Set("Cache-Control", "no-store");
  r.Set("X-Mirrorvault-Region", region);
  r.Set("X-Mirrorvault-Cache", answer.fallback ? "fallback" : answer.hit ? "hit" : "miss");
  if (answer.fallback) r.Set("X-Mirrorvault-Fallback", HeaderSafe(answer.reason));
  r.route = "redirect";
  return r;
}

httpd::Response Purged(const std::string& region, const std::string& key,
                       const httpd::Request& request) {
  LogInfo("region copy purged", {{"region", region}, {"key", key}, {"who", AdminWho(request)}});
  httpd::Response r =
      httpd::JsonResponse(200, json::serialize(json::object{{"purged", key}, {"region", region}}));
  r.route = "redirect";
  return r;
}

// A miss: the rest (making the copy, or waiting for it) runs on the server's pool for handlers
// that wait (httpd::Response::finish), with what this thread resolved already.
httpd::Response FinishElsewhere(std::function<httpd::Response()> finish) {
  httpd::Response later;
  later.route = "redirect";
  later.finish = std::move(finish);
  return later;
}

// The answer for an origin URL's copy.
httpd::Response UrlAnswered(const std::string& region,
                            const Result<regioncache::Redirect>& answer) {
  if (!answer.ok()) {
    return JsonError(httpd::HttpStatusOf(answer.status()),
                     "region " + region + ": " + answer.status().message());
  }
  // The origin refused on the way (a redirect or an address not allowed): never sent there.
  if (answer->fallback && answer->failure.code() == StatusCode::kPermissionDenied) {
    return JsonError(403, answer->failure.message());
  }
  return Answered(region, *answer);
}

// The answer for an archive blob's copy.
httpd::Response BlobAnswered(const std::string& region,
                             const Result<regioncache::Redirect>& answer) {
  if (!answer.ok()) return JsonError(500, "region " + region + ": " + answer.status().message());
  return Answered(region, *answer);
}

// /redirect/v1/<region>/url?u=...: an object of an allowed origin. Refused (403) when the URL,
// or a redirect the origin answers with, or an address its host resolves to, is not allowed.
httpd::Response ServeUrlRedirect(ServeContext& ctx, const httpd::Request& request,
                                 const RedirectRoute& route, const std::string& region,
                                 bool purge) {
  regioncache::RegionCache& cache = *ctx.regions.cache;
  const regioncache::OriginPolicy* policy = cache.origin_policy();
  if (policy == nullptr) {
    return JsonError(403, "this server fetches no origin URLs ([regioncache] allow is empty)");
  }
  Result<regioncache::AllowedUrl> url = policy->CheckUrl(route.url);
  if (!url.ok()) return JsonError(httpd::HttpStatusOf(url.status()), url.status().message());
  if (purge) {
    const std::string key = regioncache::RegionCache::UrlKey(url->url);
    Status st = cache.PurgeKey(region, key);
    if (!st.ok()) return JsonError(httpd::HttpStatusOf(st), st.message());
    return Purged(region, key, request);
  }
  Result<std::optional<regioncache::Redirect>> hit = cache.TryHitUrl(region, *url);
  if (!hit.ok()) return JsonError(500, "region " + region + ": " + hit.status().message());
  if (*hit) return UrlAnswered(region, std::move(**hit));
  return FinishElsewhere(
      [&cache, region, url = *url] { return UrlAnswered(region, cache.ForUrl(region, url)); });
}

}  // namespace

httpd::Response ServeRedirect(ServeContext& ctx, const httpd::Request& request,
                              const RedirectRoute& route) {
  if (ctx.regions.cache == nullptr) {
    return JsonError(404, "this server has no region cache ([[region]] in the configuration)");
  }
  const bool purge = request.method == "DELETE";
  if (request.method != "GET" && request.method != "HEAD" && !purge) {
    httpd::Response r = JsonError(405, "the region cache answers GET, HEAD and DELETE (a purge)");
    r.Set("Allow", "GET, HEAD, DELETE");
    return r;
  }
  if (purge) {
    if (std::optional<httpd::Response> refusal = RefuseUnlessAdmin(ctx.admin, request))
      return *refusal;
    if (route.region == "auto") return JsonError(400, "a purge names its region");
  }
  std::string region = route.region;
  if (region == "auto") {
    Result<regioncache::IpAddress> peer = regioncache::ParseAddress(request.client);
    if (!peer.ok() || ctx.regions.map == nullptr)
      return JsonError(400, "the client's address is unknown");
    Result<std::string> chosen = ctx.regions.map->RegionFor(*peer, request.forwarded_for);
    if (!chosen.ok()) return JsonError(404, chosen.status().message());
    region = *chosen;
  } else if (ctx.regions.cache->config().Find(region) == nullptr) {
    return JsonError(404, "no region '" + region + "'");
  }

  if (route.kind == RedirectRoute::Kind::kUrl)
    return ServeUrlRedirect(ctx, request, route, region, purge);

  archive::Sha256 sha{};
  uint64_t size = 0;
  std::string origin;
  if (route.kind == RedirectRoute::Kind::kFile) {
    if (auto refused = purge ? std::nullopt : RefuseIfWithdrawn(ctx, route.hash, true)) {
      refused->route = "redirect";
      return *refused;
    }
    Result<archive::FileIdentity> identity = FindFileByHash(ctx, route.hash);
    if (!identity.ok()) {
      return JsonError(httpd::HttpStatusOf(identity.status()), identity.status().message());
    }
    sha = identity->sha256;
    size = identity->size;
    origin = "/file/" + route.hash;
  } else {
    const ArchiveRoute& a = route.archive;
    Result<RunInfo> run = ctx.view.Resolve(a.archive, a.timestamp);
    if (!run.ok()) return JsonError(httpd::HttpStatusOf(run.status()), run.status().message());
    Result<archive::TreeEntry> entry = ctx.view.Lookup(*run, a.path);
    if (!entry.ok()) {
      return JsonError(httpd::HttpStatusOf(entry.status()),
                       entry.status().IsNotFound() ? "no file \"" + a.path + "\" in " + a.archive +
                                                         "@" + run->run_id.ToString()
                                                   : entry.status().message());
    }
    if (entry->type != archive::EntryType::kFile || a.trailing_slash) {
      return JsonError(400, "\"" + a.path + "\" is a directory: only files have regional copies");
    }
    sha = entry->hash;
    size = entry->size;
    origin =
        "/archive/" + UrlPath(a.archive) + "/" + run->run_id.ToString() + "/" + UrlPath(a.path);
  }
  if (!purge) {
    if (auto refused = RefuseIfWithdrawn(ctx, archive::ToHex(sha), true)) {
      refused->route = "redirect";
      return *refused;
    }
  }
  if (purge) {
    Status st = ctx.regions.cache->Purge(region, sha);
    if (!st.ok()) return JsonError(httpd::HttpStatusOf(st), st.message());
    return Purged(region, archive::BlobKey(sha), request);
  }
  // The connection's thread answers hits; a miss waits for its copy on the server's pool.
  regioncache::RegionCache& cache = *ctx.regions.cache;
  Result<std::optional<regioncache::Redirect>> hit = cache.TryHit(region, sha);
  if (!hit.ok()) return JsonError(500, "region " + region + ": " + hit.status().message());
  if (*hit) return BlobAnswered(region, std::move(**hit));
  return FinishElsewhere([&cache, &store = ctx.store, region, sha, size, origin] {
    return BlobAnswered(region,
                        cache.ForBlob(region, store, sha, size, origin, /*hit_checked=*/true));
  });
}

}  // namespace mv::server
