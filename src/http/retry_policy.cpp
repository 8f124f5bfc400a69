#include "http/retry_policy.h"

#include <algorithm>
#include <random>
#include <string>

namespace mv::http {

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt) {
  int shift = std::clamp(attempt - 1, 0, 30);
  auto ceiling = std::min<int64_t>(policy.max_delay.count(),
                                   policy.base_delay.count() * (int64_t{1} << shift));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(ceiling, 0));
  return std::chrono::milliseconds(dist(rng));
}

Status RunWithRetries(const RetryPolicy& policy,
                      const std::function<Status(int attempt)>& attempt_fn) {
  Status last;
  int attempts = std::max(policy.max_attempts, 1);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    last = attempt_fn(attempt);
    if (last.ok() || !last.retryable()) return last;
    if (attempt == attempts) break;
    (policy.clock != nullptr ? *policy.clock : SystemClock())
        .SleepFor(BackoffDelay(policy, attempt));
  }
  if (attempts > 1) {
    return last.WithContext("gave up after " + std::to_string(attempts) + " attempts");
  }
  return last;
}

}  // namespace mv::http
