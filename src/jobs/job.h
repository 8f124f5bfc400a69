// An import-service job (docs/design.md section 11): what it is, where it stands, what went wrong.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::jobs {

// The work a job does; each kind has an executor (jobs/executor.h).
enum class JobKind { kMirror, kImport, kPublish, kPrune, kNoop };
// scheduled: waits for its run_after; available: may be claimed now; running: held under a
// lease; retryable: failed transiently, claimed again after its backoff; succeeded, failed
// (parked with its reason) and cancelled are final.
enum class JobState {
  kScheduled,
  kAvailable,
  kRunning,
  kSucceeded,
  kRetryable,
  kFailed,
  kCancelled
};

std::string_view JobKindName(JobKind kind);     // "mirror", "import", "publish", "noop"
std::string_view JobStateName(JobState state);  // "scheduled", ...
Result<JobKind> ParseJobKind(std::string_view text);
Result<JobState> ParseJobState(std::string_view text);
// scheduled, available, running, retryable: the states in which a job is active (at most one
// active job per archive and kind).
bool IsActive(JobState state);

using TimePoint = std::chrono::system_clock::time_point;

// One failed attempt, kept in the job's history.
struct JobError {
  int attempt = 0;
  TimePoint at;
  std::string error_class;  // jobs/error_class.h
  std::string message;
};

struct Job {
  int64_t id = 0;
  JobKind kind = JobKind::kMirror;
  std::string archive;
  std::string payload;  // JSON object; its meaning is the executor's
  JobState state = JobState::kAvailable;
  int attempt = 0;  // attempts started (claims and rescues)
  int max_attempts = 0;
  int rescues = 0;
  TimePoint created;
  TimePoint run_after;
  std::optional<TimePoint> started;   // the current or last attempt's start
  std::optional<TimePoint> finished;  // when it reached a final state
  std::string lease_holder;           // the worker running it (running only)
  std::optional<TimePoint> lease_expires;
  std::string origin;       // "schedule", "jobs run-now by alice", "retry of 12 by bob", ...
  std::string host;         // the upstream host it talks to (circuit breaker), "" for none
  std::string result;       // a success's one-line summary
  std::string error_class;  // the last error (failed, retryable)
  std::string error_message;
  std::vector<JobError> errors;  // filled by JobQueue::Show
};

}  // namespace mv::jobs
