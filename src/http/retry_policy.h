// The one retry policy: capped exponential backoff with full jitter, applied only to operations
// the caller declares idempotent (or made idempotent by a precondition).
#pragma once

#include <chrono>
#include <functional>

#include "util/clock.h"
#include "util/status.h"

namespace mv::http {

struct RetryPolicy {
  int max_attempts = 7;                       // first try included
  std::chrono::milliseconds base_delay{100};  // delay before the 2nd attempt, at most
  std::chrono::milliseconds max_delay{5000};  // cap of any one delay
  // Sleeps between attempts (SleepFor); SystemClock() when null. Tests pass a ManualClock to run
  // without waiting and to see the delays. Not owned; must outlive the policy's uses.
  Clock* clock = nullptr;
};

// The delay before attempt `attempt + 1` (attempt counts from 1): uniform in [0, min(cap,
// base * 2^(attempt-1))].
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt);

// Runs `attempt_fn(attempt)` until it succeeds, fails with a non-retryable status, or attempts
// run out. The last status is returned, with the attempt count added to its message when
// retries happened.
Status RunWithRetries(const RetryPolicy& policy,
                      const std::function<Status(int attempt)>& attempt_fn);

}  // namespace mv::http
