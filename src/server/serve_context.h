// What the route handlers share: the archive view (cached trees and run lists), the catalog and
// package index behind it, the store that holds the bytes, and the serving options. The handlers
// themselves are free functions, one file per group of routes (archive_routes.cpp, mr_api.cpp,
// pages.cpp), dispatched by server/handler.h.
#pragma once

#include <chrono>

#include "archive/catalog.h"
#include "httpd/http_message.h"
#include "pkgindex/package_index.h"
#include "regioncache/region_cache.h"
#include "regioncache/region_map.h"
#include "server/archive_view.h"
#include "server/lru_cache.h"
#include "server/removed_content.h"
#include "server/router.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::server {

// The region cache, when the configuration has regions (/redirect/v1/).
struct RegionRouting {
  regioncache::RegionCache* cache = nullptr;
  const regioncache::RegionMap* map = nullptr;
};

struct ServeOptions {
  // Answer file requests with a 302 to a presigned URL of the blob (S3 stores) instead of the
  // bytes.
  bool blob_redirect = false;
  std::chrono::seconds presign_ttl{300};
};

struct ServeContext {
  ArchiveView& view;
  archive::Catalog& catalog;
  pkgindex::PackageIndex& packages;
  store::ObjectStore& store;
  Clock& clock;
  ServeOptions options;
  // Rendered directory listings (HTML and JSON), weighed in bytes; none: rendered every time.
  // The Handler provides one.
  LruCache<std::string>* rendered_listings = nullptr;
  // Files by the hash /file/H and /redirect/.../file/H name (content-addressed: never stale);
  // none: the catalog is asked every time. The Handler provides one.
  LruCache<archive::FileIdentity>* file_identities = nullptr;
  // What removals withdrew; none: nothing is refused. The Handler provides one.
  RemovedContent* removed = nullptr;
  // The import service, when the catalog has one: its admin API and its /metrics.
  const struct AdminContext* admin = nullptr;
  RegionRouting regions;
};

// The answer for a failed lookup: 400 (InvalidArgument), 404 (NotFound), 503 (Unavailable), else
// 500; as {"error": ...} when `json`, else one line of text.
httpd::Response ErrorResponse(const Status& status, bool json);

// /archive/A/TS/PATH and /file/H (archive_routes.cpp); /archive/A/ (pages.cpp).
httpd::Response ServeArchivePath(ServeContext& ctx, const httpd::Request& request,
                                 const ArchiveRoute& route);
httpd::Response ServeArchiveRuns(ServeContext& ctx, const httpd::Request& request,
                                 const ArchiveRunsRoute& route);
httpd::Response ServeFileByHash(ServeContext& ctx, const httpd::Request& request,
                                const FileRoute& route);

// Directory listings of a run, as HTML and JSON (listing.cpp).
httpd::Response ListingResponse(ServeContext& ctx, const httpd::Request& request,
                                const RunInfo& run, const std::string& path,
                                const std::vector<archive::TreeEntry>& entries);

// The file a hash names (SHA-1 or SHA-256, as /file/H takes it); NotFound naming it
// (archive_routes.cpp).
Result<archive::FileIdentity> FindFileByHash(ServeContext& ctx, const std::string& hash);

// 451 (removed_content.h) when a removal withdrew the content `hash` names (SHA-256 or SHA-1 hex);
// std::nullopt when none did. A failure to ask is a 500 (removal_pages.cpp).
std::optional<httpd::Response> RefuseIfWithdrawn(ServeContext& ctx, std::string_view hash_hex,
                                                 bool json);
// /removal/ and /removal/<id>: the removals, as snapshot.debian.org lists them (removal_pages.cpp).
httpd::Response ServeRemovals(ServeContext& ctx, const httpd::Request& request,
                              const RemovalRoute& route);

// /redirect/v1/: the region cache (redirect_routes.cpp).
httpd::Response ServeRedirect(ServeContext& ctx, const httpd::Request& request,
                              const RedirectRoute& route);

// /jobs/: the import service's page (service_page.cpp).
httpd::Response ServeServicePage(ServeContext& ctx, const httpd::Request& request);

// snapshot.debian.org's /mr/ API (mr_api.cpp).
httpd::Response ServeMr(ServeContext& ctx, const httpd::Request& request, const MrRoute& route);

// The web pages: home, package pages and the package search (pages.cpp).
httpd::Response ServeHome(ServeContext& ctx, const httpd::Request& request);
httpd::Response ServePackagePage(ServeContext& ctx, const httpd::Request& request,
                                 const PackagePageRoute& route);
httpd::Response ServePackageSearch(ServeContext& ctx, const httpd::Request& request,
                                   const PackageSearchRoute& route);

}  // namespace mv::server
