// S3Client: the only way business code talks to S3. It builds URLs for path-style or
// virtual-hosted addressing, signs with SigV4, sends through the shared HttpClient, maps every
// answer through StatusFromS3 and retries idempotent requests with the one RetryPolicy.
// Thread-safe: immutable after construction.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/http_client.h"
#include "http/retry_policy.h"
#include "store/s3/credentials.h"
#include "util/clock.h"

namespace mv::s3 {

struct S3Endpoint {
  std::string scheme = "https";  // "http" or "https"
  std::string authority;         // host[:port] of the service (without the bucket)
  std::string bucket;
  std::string region = "us-east-1";
  bool virtual_hosted = false;  // bucket in the host name instead of the path
};

struct S3Request {
  http::Method method = http::Method::kGet;
  std::string key;  // full object key (store prefix included); empty for bucket-level requests
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  http::Headers headers;
  Reader* body = nullptr;    // rewound before each attempt
  std::string payload_hash;  // empty: UNSIGNED-PAYLOAD
  Writer* sink = nullptr;    // 2xx bodies stream here
  std::chrono::seconds stall_timeout{30};
};

class S3Client {
 public:
  // `clock` gives the signing time (Now()) and, when retry.clock is null, the retries' sleeps;
  // SystemClock() when null. Not owned; must outlive the client.
  S3Client(S3Endpoint endpoint, Credentials credentials, std::shared_ptr<http::HttpClient> http,
           http::RetryPolicy retry, Clock* clock = nullptr);

  // One attempt. Non-2xx answers come back as Status (StatusFromS3).
  Result<http::Response> SendOnce(const S3Request& request) const;
  // Retries retryable failures (the request must be idempotent or made so by a precondition).
  Result<http::Response> Send(const S3Request& request) const;

  // A presigned GET URL for `key`, valid for `ttl`.
  std::string PresignGet(const std::string& key, std::chrono::seconds ttl) const;

  // "s3://bucket/key" for messages.
  std::string Describe(const std::string& key) const;
  const S3Endpoint& endpoint() const { return endpoint_; }
  const http::RetryPolicy& retry_policy() const { return retry_; }

 private:
  std::string Host() const;
  std::string DecodedPath(const std::string& key) const;
  std::string BuildUrl(const std::string& key, const std::string& query_string) const;

  S3Endpoint endpoint_;
  Credentials credentials_;
  std::shared_ptr<http::HttpClient> http_;
  http::RetryPolicy retry_;
  Clock& clock_;
};

}  // namespace mv::s3
