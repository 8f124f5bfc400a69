#include "server/metrics.h"

#include <fmt/format.h>

namespace mv::server {

void ServerMetrics::RecordRequest(std::string_view route, int status, double seconds,
                                  uint64_t bytes_sent) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteStats{}).first;
  RouteStats& l = it->second;
  ++l.by_status[status];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++l.buckets[i];  // cumulative, as Prometheus wants
  }
  ++l.count;
  l.sum += seconds;
  bytes_sent_ += bytes_sent;
}

std::string ServerMetrics::Render(const ViewStats& view) const {
  std::string out;
  std::lock_guard lock(mu_);
  out +=
      "# HELP mirrorvault_http_requests_total HTTP requests answered, by route and status.\n"
      "# TYPE mirrorvault_http_requests_total counter\n";
  for (const auto& [route, l] : routes_) {
    for (const auto& [status, count] : l.by_status) {
      out += fmt::format("mirrorvault_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         route, status, count);
    }
  }
  out +=
      "# HELP mirrorvault_http_request_duration_seconds Time from a request's last header "
      "byte to its last response byte.\n"
      "# TYPE mirrorvault_http_request_duration_seconds histogram\n";
  for (const auto& [route, l] : routes_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format(
          "mirrorvault_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
          kBuckets[i], l.buckets[i]);
    }
    out += fmt::format(
        "mirrorvault_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route,
        l.count);
    out += fmt::format("mirrorvault_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n",
                       route, l.sum);
    out += fmt::format("mirrorvault_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                       route, l.count);
  }
  out += fmt::format(
      "# HELP mirrorvault_http_sent_bytes_total Response body bytes sent.\n"
      "# TYPE mirrorvault_http_sent_bytes_total counter\n"
      "mirrorvault_http_sent_bytes_total {}\n"
      "# HELP mirrorvault_http_connections Open client connections.\n"
      "# TYPE mirrorvault_http_connections gauge\n"
      "mirrorvault_http_connections {}\n"
      "# HELP mirrorvault_http_connections_refused_total Connections refused at the limit.\n"
      "# TYPE mirrorvault_http_connections_refused_total counter\n"
      "mirrorvault_http_connections_refused_total {}\n",
      bytes_sent_, connections_.load(), refused_.load());
  out +=
      "# HELP mirrorvault_cache_requests_total Lookups in the server's caches, by cache and "
      "result.\n# TYPE mirrorvault_cache_requests_total counter\n";
  auto cache = [&](std::string_view name, uint64_t hits, uint64_t misses) {
    out += fmt::format("mirrorvault_cache_requests_total{{cache=\"{}\",result=\"hit\"}} {}\n", name,
                       hits);
    out += fmt::format("mirrorvault_cache_requests_total{{cache=\"{}\",result=\"miss\"}} {}\n",
                       name, misses);
  };
  cache("path", view.lookup_hits, view.lookup_misses);
  cache("listing", view.listing_hits, view.listing_misses);
  cache("run_list", view.run_list_hits, view.run_list_misses);
  return out;
}

}  // namespace mv::server
