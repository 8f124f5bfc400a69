// Fetching files of an upstream apt repository over HTTP(S): the one place that knows the
// upstream's base URL, retries transient failures (connection errors, timeouts, truncated
// bodies, 408/429/5xx with backoff, honouring Retry-After), and counts what it did.
//
// Thread-safe: many downloads run at once through the shared HttpClient (one curl multi handle,
// keep-alive connections).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "http/retry_policy.h"
#include "util/io.h"
#include "util/status.h"

namespace mv::importer {

struct FetchOptions {
  http::RetryPolicy retry{.max_attempts = 8,
                          .base_delay = std::chrono::milliseconds(200),
                          .max_delay = std::chrono::milliseconds(10000)};
  // A Retry-After longer than this is cut to it (an upstream asking for an hour is not obeyed).
  std::chrono::seconds max_retry_after{120};
  std::chrono::seconds stall_timeout{30};
};

struct FetchCounters {
  std::atomic<uint64_t> requests{0};  // HTTP requests sent (retries included)
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> bytes{0};  // body bytes of successful responses
};

// One attempt's destination for a streamed download: Write receives the body; Finish is told
// the response once the body is complete and may refuse it (a retryable status retries).
class FetchAttempt : public Writer {
 public:
  virtual Status Finish(const http::Response& response) = 0;
};

class UpstreamFetcher {
 public:
  // `base_url`: the repository's root ("http://deb.debian.org/debian"); a trailing '/' is added.
  UpstreamFetcher(std::shared_ptr<http::HttpClient> client, std::string base_url,
                  FetchOptions options = {});

  // The URL of `path` (relative to the root; each segment percent-encoded where it must be).
  std::string Url(std::string_view path) const;
  const std::string& base_url() const { return base_; }

  // The whole body of `path`, up to `max_bytes` (Corruption beyond). NotFound for 404 and 410,
  // without retrying. Redirects (to http or https) are followed, as apt does.
  Result<std::string> GetBytes(std::string_view path, uint64_t max_bytes);

  // Streams `path` into a fresh attempt from `begin` (called once per attempt; an attempt that
  // failed is destroyed before the next begins).
  Status GetStreamed(std::string_view path,
                     const std::function<Result<std::unique_ptr<FetchAttempt>>()>& begin);

  // Whether the upstream serves `path` (a HEAD request: 2xx yes, 404/410 no).
  Result<bool> Exists(std::string_view path);

  const FetchCounters& counters() const { return counters_; }

 private:
  Status Run(std::string_view path, const std::function<Status(int attempt)>& attempt,
             std::chrono::milliseconds* retry_after);
  // One request, counted; redirects followed.
  Result<http::Response> SendOnce(http::Method method, const std::string& url, Writer* sink);
  Status CheckStatus(const http::Response& response, const std::string& what,
                     std::chrono::milliseconds* retry_after) const;

  std::shared_ptr<http::HttpClient> client_;
  std::string base_;
  FetchOptions options_;
  FetchCounters counters_;
};

}  // namespace mv::importer
