// JobAdmin: the operators' side of the job queue (`mirrorvault jobs`, the admin API): listing
// and showing jobs, retry, cancel, run-now, pause and resume, failure groups, archive states,
// and the audit log that every action (each takes a `who`) is written to.
//
// A view over a JobQueue (its database, clock and options; RunNow enqueues through it): cheap to
// make where needed; the queue must outlive it. Thread-safe as the queue is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "jobs/job.h"
#include "jobs/queue.h"
#include "util/status.h"

namespace mv::jobs {

struct JobFilter {
  std::optional<JobState> state;
  std::string archive;  // "" for all
  std::optional<JobKind> kind;
  int limit = 100;  // newest first
};

// Failed jobs of one signature (jobs/error_class.h FailureSignature).
struct FailureGroup {
  std::string signature;
  std::string error_class;
  std::string example;  // one message as it was
  int64_t jobs = 0;
  std::vector<std::string> archives;  // sorted, at most 20
  TimePoint last;
};

struct ArchiveStatus {
  std::string archive;
  bool paused = false;
  std::string paused_by;
  std::optional<TimePoint> next_tick;
  std::optional<TimePoint> last_success;
  std::optional<TimePoint> last_failure;
  std::optional<JobState> last_state;  // of the newest job
  std::string last_error;              // of the newest job, when it failed
};

// An audit entry: (time, who, action, target, detail).
using AuditEntry = std::tuple<TimePoint, std::string, std::string, std::string, std::string>;

class JobAdmin {
 public:
  explicit JobAdmin(JobQueue& queue) : queue_(queue) {}

  Result<std::vector<Job>> List(const JobFilter& filter);
  // The job with its error history; NotFound naming the id.
  Result<Job> Show(int64_t id);
  // Makes a failed or cancelled job available again now, with a fresh budget of attempts.
  Status Retry(int64_t id, const std::string& who);
  // Retries every failed job (of `archive` / `error_class` when given); their ids.
  Result<std::vector<int64_t>> RetryFailed(const std::string& archive,
                                           const std::string& error_class, const std::string& who);
  // Cancels an active job (a running one stops at its next heartbeat).
  Status Cancel(int64_t id, const std::string& who);
  // Runs the archive's job of `kind` now: the active one is made available at once, else a new
  // one is enqueued. Its id. An active job that another producer (a scheduler's tick) enqueues
  // meanwhile is hurried instead: no AlreadyExists from that race.
  Result<int64_t> RunNow(const std::string& archive, JobKind kind, const std::string& payload,
                         const std::string& host, const std::string& who);
  // Paused archives' jobs are not claimed (running ones finish); the scheduler skips them.
  Status Pause(const std::string& archive, const std::string& who);
  Status Resume(const std::string& archive, const std::string& who);
  Result<std::vector<FailureGroup>> Failures(const std::string& archive);
  Result<std::vector<ArchiveStatus>> Archives();
  // The audit log, newest first.
  Result<std::vector<AuditEntry>> Audit(int limit);
  // Writes an entry for an action taken elsewhere (a run deleted by `runs rm`, say).
  Status Record(const std::string& who, const std::string& action, const std::string& target,
                const std::string& detail);

 private:
  int64_t NowMs();
  Status AuditLog(db::Connection& c, const std::string& who, const std::string& action,
                  const std::string& target, const std::string& detail);

  JobQueue& queue_;
};

}  // namespace mv::jobs
