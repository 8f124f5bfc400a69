// The one place a job's failure is classified (docs/design.md section 11): transient failures are
// retried with capped exponential backoff and jitter, permanent ones park the job with its reason.
//
//   transient  connection (refused, reset, DNS), timeout, http_5xx, http_429, s3_slowdown,
//              busy (database locked), lock_held (another writer of the archive), lease_expired
//   permanent  signature, hash_mismatch, malformed, config, not_found, permission, internal
//
// Failures group by signature: the class and the message with numbers, hashes, temporary names
// and quoted values normalised away, so that 500 jobs failing the same way are one line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "http/retry_policy.h"
#include "util/status.h"

namespace mv::jobs {

struct ErrorClass {
  std::string name;  // "http_5xx"
  bool transient = false;
  // The server asked for this much (Retry-After); the next attempt waits at least this long.
  std::chrono::milliseconds retry_after{0};
};

ErrorClass Classify(const Status& status);

// "http_5xx: GET http://H/dists/N/InRelease: HTTP N".
std::string FailureSignature(std::string_view error_class, std::string_view message);

// Backoff of job attempts: capped exponential with full jitter, at least the Retry-After.
struct Backoff {
  std::chrono::milliseconds base{30'000};
  std::chrono::milliseconds cap{3'600'000};
};
std::chrono::milliseconds RetryDelay(const Backoff& backoff, int attempt,
                                     std::chrono::milliseconds retry_after);

}  // namespace mv::jobs
