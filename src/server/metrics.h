// The server's Prometheus metrics: requests by route and status, a latency histogram per route,
// bytes sent, open connections, the archive view's cache hits and misses, and the store reads of
// file answers (latency and size histograms, failures) by store kind. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "httpd/http_server.h"
#include "server/archive_view.h"

namespace mv::server {

// Fed by the transport as a ServerObserver.
class ServerMetrics final : public httpd::ServerObserver {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  // Upper bounds of the store read size buckets, in bytes.
  static constexpr std::array<double, 8> kByteBuckets = {4096,    16384,   65536,    262144,
                                                         1048576, 4194304, 16777216, 67108864};

  void RecordRequest(std::string_view route, int status, double seconds,
                     uint64_t bytes_sent) override;
  void ConnectionOpened() override { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() override { connections_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRefused() override { refused_.fetch_add(1, std::memory_order_relaxed); }
  // One read of a file answer's bytes from the store of kind `kind` ("s3", "file").
  void RecordStoreRead(std::string_view kind, double seconds, uint64_t bytes, bool ok);
  int64_t open_connections() const { return connections_.load(std::memory_order_relaxed); }

  // The text exposition format (version 0.0.4).
  std::string Render(const ViewStats& view) const;

 private:
  template <size_t N>
  struct Histogram {
    std::array<uint64_t, N> buckets{};  // cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(const std::array<double, N>& bounds, double value);
  };
  struct RouteStats {
    std::map<int, uint64_t> by_status;
    Histogram<kBuckets.size()> seconds;
  };
  struct StoreStats {
    Histogram<kBuckets.size()> seconds;
    Histogram<kByteBuckets.size()> bytes;
    uint64_t failures = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, RouteStats, std::less<>> routes_;  // by route (looked up without copying)
  std::map<std::string, StoreStats, std::less<>> stores_;  // by store kind
  uint64_t bytes_sent_ = 0;
  std::atomic<int64_t> connections_{0};
  std::atomic<uint64_t> refused_{0};
};

}  // namespace mv::server
