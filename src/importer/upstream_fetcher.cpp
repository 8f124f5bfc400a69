#include "importer/upstream_fetcher.h"

#include <algorithm>

#include "http/http_date.h"
#include "util/redact.h"
#include "util/uri.h"

namespace mv::importer {
namespace {

// A Writer into a string with a bound.
class BoundedStringWriter final : public Writer {
 public:
  BoundedStringWriter(std::string& out, uint64_t max, const std::string& what)
      : out_(out), max_(max), what_(what) {}
  Status Write(std::string_view data) override {
    if (out_.size() + data.size() > max_) {
      return Corruption(what_ + ": larger than " + std::to_string(max_) + " bytes");
    }
    out_.append(data);
    return Status::Ok();
  }

 private:
  std::string& out_;
  uint64_t max_;
  const std::string& what_;
};

// Retry-After: delay-seconds or an HTTP date.
std::chrono::milliseconds ParseRetryAfter(std::string_view value) {
  uint64_t seconds = 0;
  bool digits = !value.empty();
  for (char c : value) {
    if (c < '0' || c > '9') {
      digits = false;
      break;
    }
    seconds = std::min<uint64_t>(seconds * 10 + static_cast<uint64_t>(c - '0'), 1u << 30);
  }
  if (digits) return std::chrono::seconds(seconds);
  Result<std::chrono::system_clock::time_point> at = http::ParseHttpDate(value);
  if (!at.ok()) return std::chrono::milliseconds(0);
  auto wait = *at - std::chrono::system_clock::now();
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(wait));
}

}  // namespace

UpstreamFetcher::UpstreamFetcher(std::shared_ptr<http::HttpClient> client, std::string base_url,
                                 FetchOptions options)
    : client_(std::move(client)), base_(std::move(base_url)), options_(std::move(options)) {
  if (base_.empty() || base_.back() != '/') base_ += '/';
}

std::string UpstreamFetcher::Url(std::string_view path) const {
  // RFC 3986 pchars stay as they are ('+' and '~' are common in pool file names).
  return base_ + PercentEncode(path, "/!$&'()*+,;=:@");
}

Result<http::Response> UpstreamFetcher::SendOnce(http::Method method, const std::string& url,
                                                 Writer* sink) {
  http::Request request{.method = method,
                        .url = url,
                        .sink = sink,
                        .stall_timeout = options_.stall_timeout,
                        .follow_redirects = true,
                        .multiplex = true};
  counters_.requests += 1;
  return client_->Send(request);
}

Status UpstreamFetcher::CheckStatus(const http::Response& response, const std::string& what,
                                    std::chrono::milliseconds* retry_after) const {
  if (response.status >= 200 && response.status < 300) return Status::Ok();
  if ((response.status == 429 || response.status == 503) && retry_after != nullptr) {
    if (auto value = http::FindHeader(response.headers, "retry-after")) {
      *retry_after =
          std::min<std::chrono::milliseconds>(ParseRetryAfter(*value), options_.max_retry_after);
    }
  }
  if (response.status == 410) return NotFound(what + ": HTTP 410 (gone)");
  Status st = http::StatusFromHttp(response.status, what);
  if (retry_after != nullptr && retry_after->count() > 0) {
    st = Status(st.code(),
                st.message() + " (Retry-After: " + std::to_string(retry_after->count()) + " ms)",
                st.retryable())
             .WithRetryAfter(*retry_after);
  }
  return st;
}

Status UpstreamFetcher::Run(std::string_view path,
                            const std::function<Status(int attempt)>& attempt_fn,
                            std::chrono::milliseconds* retry_after) {
  const int attempts = std::max(options_.retry.max_attempts, 1);
  Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    *retry_after = std::chrono::milliseconds(0);
    last = attempt_fn(attempt);
    if (last.ok() || !last.retryable()) return last;
    if (attempt == attempts) break;
    counters_.retries += 1;
    auto delay = std::max(http::BackoffDelay(options_.retry, attempt), *retry_after);
    (options_.retry.clock != nullptr ? *options_.retry.clock : SystemClock()).SleepFor(delay);
  }
  return last.WithContext("GET " + RedactUrl(Url(path)) + " failed " + std::to_string(attempts) +
                          " times; the last error");
}

Result<std::string> UpstreamFetcher::GetBytes(std::string_view path, uint64_t max_bytes) {
  std::string body;
  const std::string url = Url(path);
  const std::string what = "GET " + RedactUrl(url);
  std::chrono::milliseconds retry_after{0};
  Status st = Run(
      path,
      [&](int) -> Status {
        body.clear();
        BoundedStringWriter sink(body, max_bytes, what);
        MV_ASSIGN_OR_RETURN(http::Response response, SendOnce(http::Method::kGet, url, &sink));
        MV_RETURN_IF_ERROR(CheckStatus(response, what, &retry_after));
        counters_.bytes += response.body_bytes;
        return Status::Ok();
      },
      &retry_after);
  MV_RETURN_IF_ERROR(st);
  return body;
}

Status UpstreamFetcher::GetStreamed(
    std::string_view path, const std::function<Result<std::unique_ptr<FetchAttempt>>()>& begin) {
  const std::string url = Url(path);
  const std::string what = "GET " + RedactUrl(url);
  std::chrono::milliseconds retry_after{0};
  return Run(
      path,
      [&](int) -> Status {
        MV_ASSIGN_OR_RETURN(std::unique_ptr<FetchAttempt> sink, begin());
        MV_ASSIGN_OR_RETURN(http::Response response, SendOnce(http::Method::kGet, url, sink.get()));
        MV_RETURN_IF_ERROR(CheckStatus(response, what, &retry_after));
        counters_.bytes += response.body_bytes;
        return sink->Finish(response);
      },
      &retry_after);
}

Result<bool> UpstreamFetcher::Exists(std::string_view path) {
  const std::string url = Url(path);
  const std::string what = "HEAD " + RedactUrl(url);
  bool exists = false;
  std::chrono::milliseconds retry_after{0};
  Status st = Run(
      path,
      [&](int) -> Status {
        MV_ASSIGN_OR_RETURN(http::Response response, SendOnce(http::Method::kHead, url, nullptr));
        Status checked = CheckStatus(response, what, &retry_after);
        if (checked.IsNotFound()) return Status::Ok();
        MV_RETURN_IF_ERROR(checked);
        exists = true;
        return Status::Ok();
      },
      &retry_after);
  MV_RETURN_IF_ERROR(st);
  return exists;
}

}  // namespace mv::importer
