// JobQueue: the jobs of the import service in the catalog (SQLite or PostgreSQL), shared by every
// worker process of every machine (docs/design.md section 11).
//
// Claiming is one short statement (PostgreSQL: UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP
// LOCKED); SQLite: UPDATE ... RETURNING, writers serialised by the database) that also counts the
// attempt and takes a lease; the work runs outside any transaction; the worker renews the lease
// (Heartbeat) and reports the outcome (Succeed, Fail) only while the lease is still its own.
// An expired lease is rescued by any worker (RescueExpired): the lost attempt counts, and the job
// is retried (or parked when its attempts are spent).
//
// At most one active job per archive and kind: a partial unique index, so a second Enqueue (or
// a retry that would make a second one) fails with AlreadyExists whoever runs it.
//
// Failures are classified by jobs/error_class.h: transient ones make the job `retryable` after a
// capped exponential backoff with jitter (at least the server's Retry-After); permanent ones, and
// transient ones once the attempts are spent, make it `failed` with its reason. A circuit breaker
// per upstream host opens after `breaker_threshold` transient failures in a row: while it is open
// no job of that host is claimed, so an outage does not burn every job's attempts; the next claim
// after the cool-down probes the host, and a success closes the breaker.
//
// Operators' actions (jobs/admin: retry, cancel, pause, ...) take a `who` and are written to the
// audit log.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "jobs/error_class.h"
#include "jobs/job.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::jobs {

struct QueueOptions {
  std::chrono::milliseconds lease{60'000};
  Backoff backoff;
  int breaker_threshold = 5;
  std::chrono::milliseconds breaker_cooldown{60'000};
  int retry_attempts = 5;  // the fresh budget an operator's retry gives
  Clock* clock = nullptr;  // SystemClock() when null
};

struct NewJob {
  JobKind kind = JobKind::kMirror;
  std::string archive;
  std::string payload = "{}";
  int max_attempts = 5;
  std::optional<TimePoint> run_after;  // now when unset
  std::string origin = "api";
  std::string host;  // the upstream host, for the circuit breaker ("" for none)
};

struct JobFilter {
  std::optional<JobState> state;
  std::string archive;  // "" for all
  std::optional<JobKind> kind;
  int limit = 100;      // newest first
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
  std::vector<std::string> open_breakers;                           // hosts
  int64_t failed_archives = 0;  // archives whose newest mirror job failed
  std::vector<DurationStats> durations;  // succeeded jobs, by kind
};

class JobQueue {
 public:
  // Brings the jobs tables up to date (migrations) and returns the queue.
  static Result<std::unique_ptr<JobQueue>> Open(std::shared_ptr<db::Database> database,
                                                QueueOptions options = {});

  // --- producers ---
  // The new job's id; AlreadyExists naming the active job when the archive already has an
  // active job of that kind.
  Result<int64_t> Enqueue(const NewJob& job);

  // --- workers ---
  // Claims the job that has waited longest among those that may run now (not paused, breaker
  // closed), counting an attempt and leasing it to `worker`; nullopt when none.
  Result<std::optional<Job>> Claim(const std::string& worker);
  // Renews the lease. PreconditionFailed when the job is no longer this worker's (rescued, or
  // cancelled: the message says which): stop working on it.
  Status Heartbeat(int64_t id, const std::string& worker);
  // Records success (`result`: one line). PreconditionFailed when the lease was lost.
  Status Succeed(int64_t id, const std::string& worker, const std::string& result);
  // Records the failure and returns the job's new state (retryable or failed).
  // PreconditionFailed when the lease was lost.
  Result<JobState> Fail(int64_t id, const std::string& worker, const Status& error);
  // Rescues every job whose lease expired; returns how many.
  Result<int> RescueExpired();

  // --- operators (who: for the audit log) ---
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
  // The audit log, newest first: (time, who, action, target, detail).
  Result<std::vector<std::tuple<TimePoint, std::string, std::string, std::string, std::string>>>
  Audit(int limit);

  // --- scheduling and monitoring ---
  // Atomically claims the archive's schedule tick: true (and the next tick set to now + every)
  // when it was due, false when another scheduler took it or it is not due or paused.
  Result<bool> TakeTick(const std::string& archive, std::chrono::milliseconds every);
  Result<QueueStats> Stats();
  // Forgets succeeded and cancelled jobs (and their error history) that finished more than
  // `keep` ago, and audit entries as old; failed jobs stay until an operator retries or cancels
  // them. How many jobs were forgotten.
  Result<int64_t> Prune(std::chrono::milliseconds keep);
  // Records today's number of failed archives (the latest observation of the day wins).
  Status RecordBaseline();
  // The daily observations of the `days` days before today, oldest first.
  Result<std::vector<int64_t>> Baseline(int days);

  Clock& clock() { return clock_; }
  const QueueOptions& options() const { return options_; }
  db::Database& database() { return *database_; }

 private:
  JobQueue(std::shared_ptr<db::Database> database, QueueOptions options);
  int64_t NowMs();
  Status AuditLog(db::Connection& c, const std::string& who, const std::string& action,
                  const std::string& target, const std::string& detail);
  Status Notify(db::Connection& c);

  std::shared_ptr<db::Database> database_;
  QueueOptions options_;
  Clock& clock_;
};

}  // namespace mv::jobs
