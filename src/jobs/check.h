// `mirrorvault check`: the service's health as a Nagios/Icinga plugin sees it (exit 0 OK,
// 1 WARNING, 2 CRITICAL, 3 UNKNOWN; one status line; performance data after '|').
//
// The number of failed archives (whose newest mirror or import job failed) is compared with a
// rolling baseline, the median of the daily counts the workers recorded over the last 7 days,
// rather than with a fixed number: an archive farm that always has 40 broken upstreams is not
// an emergency, 80 is. The baseline is at least `floor`, so that a quiet farm's first failures
// do not page anyone. Archives whose last success is older than max_age are stale.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace mv::jobs {

struct CheckThresholds {
  double warn_factor = 1.5;  // failed >= warn_factor * baseline: WARNING
  double crit_factor = 2.0;  // failed >= crit_factor * baseline: CRITICAL
  int64_t floor = 2;         // the baseline used is at least this
  std::chrono::milliseconds max_age{std::chrono::hours(12)};       // stale: WARNING
  std::chrono::milliseconds max_age_crit{std::chrono::hours(24)};  // stale: CRITICAL
};

struct CheckInput {
  int64_t failed_archives = 0;
  std::vector<int64_t> baseline_days;  // daily counts, any order
  // Scheduled archives and their last success; one never successful is aged from its first
  // job (first_seen), and not at all before it has one.
  struct Archive {
    std::string name;
    std::optional<TimePoint> last_success;
    std::optional<TimePoint> first_seen;
  };
  std::vector<Archive> archives;
  TimePoint now;
  std::chrono::milliseconds queue_lag{0};
};

struct CheckResult {
  int exit_code = 3;
  std::string line;  // "MIRRORVAULT OK - ... | failed_archives=0;3;4;0 ..."
};

// The median of `days` (the lower middle for an even count); nullopt when empty.
std::optional<int64_t> Median(std::vector<int64_t> days);

CheckResult EvaluateCheck(const CheckInput& input, const CheckThresholds& thresholds);

}  // namespace mv::jobs
