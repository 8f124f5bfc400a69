// JobStats: the numbers of the job queue: jobs by kind and state, lag, rescues, failures by
// class, durations (behind /metrics and the service page), and the daily baseline of failed
// archives that `mirrorvault check` compares against.
//
// A view over a JobQueue (its database and clock): cheap to make where needed; the queue must
// outlive it. Thread-safe as the queue is.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "jobs/job.h"
#include "jobs/queue.h"
#include "util/status.h"

namespace mv::jobs {

// Durations of succeeded jobs of one kind, as a histogram (cumulative counts at each bound).
struct DurationStats {
  JobKind kind = JobKind::kMirror;
  static constexpr double kBounds[] = {1, 10, 60, 300, 1800, 3600};  // seconds
  int64_t le[6] = {};  // jobs that took at most kBounds[i]
  int64_t count = 0;
  double sum_seconds = 0;
};

struct QueueStats {
  // By (kind, state), every pair present.
  std::vector<std::tuple<JobKind, JobState, int64_t>> counts;
  std::chrono::milliseconds lag{0};  // age of the oldest job that may run now (0: none)
  int64_t rescues = 0;               // lease rescues, all time
  int64_t attempts = 0;              // attempts started, all time
  std::vector<std::pair<std::string, int64_t>> failures_by_class;  // failed jobs
  std::vector<std::pair<std::string, TimePoint>> last_success;     // per archive
  std::vector<std::string> open_breakers;                          // hosts
  int64_t failed_archives = 0;           // archives whose newest mirror job failed
  std::vector<DurationStats> durations;  // succeeded jobs, by kind
};

class JobStats {
 public:
  explicit JobStats(JobQueue& queue) : queue_(queue) {}

  Result<QueueStats> Stats();
  // Records today's number of failed archives (the latest observation of the day wins).
  Status RecordBaseline();
  // The daily observations of the `days` days before today, oldest first.
  Result<std::vector<int64_t>> Baseline(int days);

 private:
  JobQueue& queue_;
};

}  // namespace mv::jobs
