#include "server/handler.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <exception>

#include "jobs/metrics_text.h"
#include "regioncache/region_cache.h"
#include "server/admin_api.h"
#include "util/log.h"

namespace mv::server {

httpd::Response ErrorResponse(const Status& status, bool json) {
  const int code = httpd::HttpStatusOf(status);
  std::string message = status.message();
  if (code == 500 || code == 503) {
    LogWarn("request failed", {{"error", status}});
    if (code == 500) message = "internal error: " + message;
  }
  httpd::Response r;
  if (json) {
    r = httpd::JsonResponse(code, boost::json::serialize(boost::json::object{{"error", message}}));
  } else {
    r = httpd::TextResponse(code, message);
  }
  if (code == 503) r.Set("Retry-After", "5");
  r.route = "error";
  return r;
}

std::string Handler::RenderMetrics() {
  std::string text = metrics_ ? metrics_->Render(context_.view.Stats()) : "";
  // What the catalog says: the runs, files and bytes imported per archive, and the import service.
  if (Result<std::vector<archive::Catalog::ArchiveTotals>> totals = context_.catalog.Totals();
      totals.ok()) {
    std::string runs =
        "# HELP mirrorvault_archive_runs Runs of each archive.\n"
        "# TYPE mirrorvault_archive_runs gauge\n";
    std::string files =
        "# HELP mirrorvault_archive_imported_files Files the archive's runs added to the store.\n"
        "# TYPE mirrorvault_archive_imported_files gauge\n";
    std::string bytes =
        "# HELP mirrorvault_archive_imported_bytes Bytes the archive's runs added to the store.\n"
        "# TYPE mirrorvault_archive_imported_bytes gauge\n";
    for (const auto& t : *totals) {
      const std::string label = "{archive=\"" + t.archive + "\"} ";
      runs += "mirrorvault_archive_runs" + label + std::to_string(t.runs) + "\n";
      files += "mirrorvault_archive_imported_files" + label + std::to_string(t.new_files) + "\n";
      bytes += "mirrorvault_archive_imported_bytes" + label + std::to_string(t.new_bytes) + "\n";
    }
    text += runs + files + bytes;
  }
  if (context_.regions.cache != nullptr) {
    struct Counter {
      const char* name;
      const char* help;
      uint64_t regioncache::RegionStats::*value;
    };
    static constexpr Counter kCounters[] = {
        {"hits", "Redirects to a copy that was there", &regioncache::RegionStats::hits},
        {"misses", "Redirects that had to wait for a copy (or fell back)",
         &regioncache::RegionStats::misses},
        {"copies", "Copies made into the region", &regioncache::RegionStats::copies},
        {"server_copies", "Copies made by the S3 server itself (CopyObject)",
         &regioncache::RegionStats::server_copies},
        {"copy_bytes", "Bytes copied into the region", &regioncache::RegionStats::copy_bytes},
        {"copy_failures", "Copies that failed", &regioncache::RegionStats::copy_failures},
        {"waits", "Requests that waited on a copy another request started",
         &regioncache::RegionStats::waits},
        {"fallbacks", "Requests sent to the origin (the copy was not there in time)",
         &regioncache::RegionStats::fallbacks},
        {"evictions", "Copies deleted by the budget or the ttl",
         &regioncache::RegionStats::evictions}};
    const auto stats = context_.regions.cache->Stats();
    for (const Counter& c : kCounters) {
      text += std::string("# HELP mirrorvault_regioncache_") + c.name + "_total " + c.help + ".\n" +
              "# TYPE mirrorvault_regioncache_" + c.name + "_total counter\n";
      for (const auto& [region, s] : stats) {
        text += std::string("mirrorvault_regioncache_") + c.name + "_total{region=\"" + region +
                "\"} " + std::to_string(s.*c.value) + "\n";
      }
    }
    text +=
        "# HELP mirrorvault_regioncache_copy_seconds_total Time spent copying.\n"
        "# TYPE mirrorvault_regioncache_copy_seconds_total counter\n";
    std::string in_flight =
        "# HELP mirrorvault_regioncache_copies_in_flight Copies being made.\n"
        "# TYPE mirrorvault_regioncache_copies_in_flight gauge\n";
    for (const auto& [region, s] : stats) {
      text += "mirrorvault_regioncache_copy_seconds_total{region=\"" + region + "\"} " +
              std::to_string(s.copy_seconds) + "\n";
      in_flight += "mirrorvault_regioncache_copies_in_flight{region=\"" + region + "\"} " +
                   std::to_string(s.in_flight) + "\n";
    }
    text += in_flight;
  }
  if (context_.admin != nullptr && context_.admin->queue != nullptr) {
    Result<jobs::QueueStats> stats = jobs::JobStats(*context_.admin->queue).Stats();
    if (stats.ok()) {
      text += jobs::RenderJobMetrics(*stats);
    } else {
      LogWarn("job metrics unavailable", {{"error", stats.status()}});
    }
  }
  return text;
}

httpd::Response Handler::Handle(const httpd::Request& request) {
  try {
    return Dispatch(request);
  } catch (const std::exception& e) {
    return ErrorResponse(Internal(std::string("unexpected exception: ") + e.what()), false);
  }
}

httpd::Response Handler::Dispatch(const httpd::Request& request) {
  if (request.target.starts_with("/admin/") || request.target.starts_with("/redirect/")) {
    auto matched = MatchRoute(request.target);
    if (const Route* route = std::get_if<Route>(&matched)) {
      if (const AdminRoute* admin = std::get_if<AdminRoute>(route)) {
        return ServeAdmin(context_.admin, request, *admin);
      }
      if (const RedirectRoute* redirect = std::get_if<RedirectRoute>(route)) {
        return ServeRedirect(context_, request, *redirect);
      }
    }
  }
  if (request.method != "GET" && request.method != "HEAD") {
    httpd::Response r =
        httpd::TextResponse(405, "method " + request.method.substr(0, 32) +
                                     " is not allowed: this server answers GET and HEAD");
    r.Set("Allow", "GET, HEAD");
    r.route = "error";
    return r;
  }
  auto matched = MatchRoute(request.target);
  if (auto* err = std::get_if<RouteError>(&matched)) {
    bool json = request.target.starts_with("/mr/") || request.WantsJson();
    httpd::Response r =
        json ? httpd::JsonResponse(
                   err->status, boost::json::serialize(boost::json::object{{"error", err->reason}}))
             : httpd::TextResponse(err->status, err->reason);
    r.route = "error";
    return r;
  }
  const Route& route = std::get<Route>(matched);
  return std::visit(
      [&](const auto& r) -> httpd::Response {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, HomeRoute>) {
          return ServeHome(context_, request);
        } else if constexpr (std::is_same_v<T, HealthRoute>) {
          httpd::Response ok = httpd::TextResponse(200, "ok");
          ok.Set("Cache-Control", "no-store");
          ok.route = "healthz";
          return ok;
        } else if constexpr (std::is_same_v<T, MetricsRoute>) {
          httpd::Response m = httpd::TextResponse(200, RenderMetrics());
          m.headers.clear();
          m.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          m.Set("Cache-Control", "no-store");
          m.route = "metrics";
          return m;
        } else if constexpr (std::is_same_v<T, ArchiveRoute>) {
          return ServeArchivePath(context_, request, r);
        } else if constexpr (std::is_same_v<T, ArchiveRunsRoute>) {
          return ServeArchiveRuns(context_, request, r);
        } else if constexpr (std::is_same_v<T, FileRoute>) {
          return ServeFileByHash(context_, request, r);
        } else if constexpr (std::is_same_v<T, PackagePageRoute>) {
          return ServePackagePage(context_, request, r);
        } else if constexpr (std::is_same_v<T, PackageSearchRoute>) {
          return ServePackageSearch(context_, request, r);
        } else if constexpr (std::is_same_v<T, RedirectRoute>) {
          return ServeRedirect(context_, request, r);
        } else if constexpr (std::is_same_v<T, RemovalRoute>) {
          return ServeRemovals(context_, request, r);
        } else if constexpr (std::is_same_v<T, JobsPageRoute>) {
          return ServeServicePage(context_, request);
        } else if constexpr (std::is_same_v<T, AdminRoute>) {
          return ServeAdmin(context_.admin, request, r);
        } else {
          static_assert(std::is_same_v<T, MrRoute>);
          return ServeMr(context_, request, r);
        }
      },
      route);
}

}  // namespace mv::server
