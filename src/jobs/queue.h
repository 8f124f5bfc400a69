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
// Operators' actions (retry, cancel, pause, ...) and their audit log are JobAdmin's
// (jobs/job_admin.h); the numbers behind /metrics and `check` are JobStats' (jobs/job_stats.h).
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

  // --- scheduling and history ---
  // Atomically claims the archive's schedule tick: true (and the next tick set to now + every)
  // when it was due, false when another scheduler took it or it is not due or paused.
  Result<bool> TakeTick(const std::string& archive, std::chrono::milliseconds every);
  // Forgets succeeded and cancelled jobs (and their error history) that finished more than
  // `keep` ago, and audit entries as old; failed jobs stay until an operator retries or cancels
  // them. How many jobs were forgotten.
  Result<int64_t> Prune(std::chrono::milliseconds keep);

  Clock& clock() { return clock_; }
  const QueueOptions& options() const { return options_; }
  db::Database& database() { return *database_; }

 private:
  JobQueue(std::shared_ptr<db::Database> database, QueueOptions options);
  int64_t NowMs();

  std::shared_ptr<db::Database> database_;
  QueueOptions options_;
  Clock& clock_;
};

}  // namespace mv::jobs
