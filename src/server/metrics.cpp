#include "server/metrics.h"

#include <fmt/format.h>

namespace mv::server {
namespace {

// The lines of histogram `h` (a ServerMetrics::Histogram over `bounds`) named `name`, with
// `labels` ("route=\"x\""), in the text format.
template <class Histogram, size_t N>
void RenderHistogram(std::string& out, std::string_view name, std::string_view labels,
                     const std::array<double, N>& bounds, const Histogram& h) {
  for (size_t i = 0; i < N; ++i) {
    out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, bounds[i], h.buckets[i]);
  }
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, h.count);
  out += fmt::format("{}_sum{{{}}} {:.6f}\n", name, labels, h.sum);
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, h.count);
}

}  // namespace

template <size_t N>
void ServerMetrics::Histogram<N>::Observe(const std::array<double, N>& bounds, double value) {
  for (size_t i = 0; i < N; ++i) {
    if (value <= bounds[i]) ++buckets[i];  // cumulative, as Prometheus wants
  }
  ++count;
  sum += value;
}

void ServerMetrics::RecordStoreRead(std::string_view kind, double seconds, uint64_t bytes,
                                    bool ok) {
  std::lock_guard lock(mu_);
  auto it = stores_.find(kind);
  if (it == stores_.end()) it = stores_.emplace(std::string(kind), StoreStats{}).first;
  it->second.seconds.Observe(kBuckets, seconds);
  it->second.bytes.Observe(kByteBuckets, static_cast<double>(bytes));
  if (!ok) ++it->second.failures;
}

void ServerMetrics::RecordRequest(std::string_view route, int status, double seconds,
                                  uint64_t bytes_sent) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(route);
  if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteStats{}).first;
  RouteStats& l = it->second;
  ++l.by_status[status];
  l.seconds.Observe(kBuckets, seconds);
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
    RenderHistogram(out, "mirrorvault_http_request_duration_seconds",
                    fmt::format("route=\"{}\"", route), kBuckets, l.seconds);
  }
  out +=
      "# HELP mirrorvault_store_read_duration_seconds Time of one store read of a file "
      "answer's bytes, by store kind.\n"
      "# TYPE mirrorvault_store_read_duration_seconds histogram\n";
  for (const auto& [kind, st] : stores_) {
    RenderHistogram(out, "mirrorvault_store_read_duration_seconds",
                    fmt::format("store=\"{}\"", kind), kBuckets, st.seconds);
  }
  out +=
      "# HELP mirrorvault_store_read_bytes Bytes of one store read of a file answer, by store "
      "kind.\n"
      "# TYPE mirrorvault_store_read_bytes histogram\n";
  for (const auto& [kind, st] : stores_) {
    RenderHistogram(out, "mirrorvault_store_read_bytes", fmt::format("store=\"{}\"", kind),
                    kByteBuckets, st.bytes);
  }
  out +=
      "# HELP mirrorvault_store_read_failures_total Store reads of file answers that failed, by "
      "store kind.\n"
      "# TYPE mirrorvault_store_read_failures_total counter\n";
  for (const auto& [kind, st] : stores_) {
    out += fmt::format("mirrorvault_store_read_failures_total{{store=\"{}\"}} {}\n", kind,
                       st.failures);
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
