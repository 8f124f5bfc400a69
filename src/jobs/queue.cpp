#include "jobs/queue.h"

#include <optional>
#include <tuple>

#include "jobs/queue_rows.h"
#include "jobs/schema.h"
#include "util/time_format.h"

namespace mv::jobs {

Result<Job> JobFromRow(const db::Row& r) {
  Job j;
  j.id = r.Int(0);
  MV_ASSIGN_OR_RETURN(j.kind, ParseJobKind(r.Text(1)));
  j.archive = r.Text(2);
  j.payload = r.Text(3);
  MV_ASSIGN_OR_RETURN(j.state, ParseJobState(r.Text(4)));
  j.attempt = static_cast<int>(r.Int(5));
  j.max_attempts = static_cast<int>(r.Int(6));
  j.rescues = static_cast<int>(r.Int(7));
  j.created = FromUnixMs(r.Int(8));
  j.run_after = FromUnixMs(r.Int(9));
  if (!r.IsNull(10)) j.started = FromUnixMs(r.Int(10));
  if (!r.IsNull(11)) j.finished = FromUnixMs(r.Int(11));
  if (!r.IsNull(12)) j.lease_holder = r.Text(12);
  if (!r.IsNull(13)) j.lease_expires = FromUnixMs(r.Int(13));
  j.origin = r.Text(14);
  j.host = r.Text(15);
  j.result = r.Text(16);
  j.error_class = r.Text(17);
  j.error_message = r.Text(18);
  return j;
}

Result<Job> ReadJob(db::Connection& c, int64_t id) {
  std::optional<Job> job;
  const db::Value params[] = {id};
  MV_RETURN_IF_ERROR(c.Query(std::string("SELECT ") + kJobColumns + " FROM jobs_jobs WHERE id = $1",
                             params, [&](const db::Row& r) -> Status {
                               MV_ASSIGN_OR_RETURN(Job j, JobFromRow(r));
                               job = std::move(j);
                               return Status::Ok();
                             }));
  if (!job) return NotFound("no job " + std::to_string(id));
  return std::move(*job);
}

JobQueue::JobQueue(std::shared_ptr<db::Database> database, QueueOptions options)
    : database_(std::move(database)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()) {}

Result<std::unique_ptr<JobQueue>> JobQueue::Open(std::shared_ptr<db::Database> database,
                                                 QueueOptions options) {
  MV_RETURN_IF_ERROR(db::Migrate(*database, "jobs", JobsMigrations()));
  return std::unique_ptr<JobQueue>(new JobQueue(std::move(database), std::move(options)));
}

int64_t JobQueue::NowMs() { return ToUnixMs(clock_.Now()); }

Status NotifyJobsChanged(db::Connection& c) {
  if (c.dialect() != db::Dialect::kPostgres) return Status::Ok();
  return c.Execute("SELECT pg_notify('mirrorvault_jobs', '')").status();
}

namespace {

// The active job of an archive and kind, for AlreadyExists messages.
std::string ActiveJobText(db::Connection& c, const std::string& archive, JobKind kind) {
  std::string text = "an active " + std::string(JobKindName(kind)) + " job";
  const db::Value params[] = {archive, std::string(JobKindName(kind))};
  c.Query(
       "SELECT id, state FROM jobs_jobs WHERE archive = $1 AND kind = $2 AND state IN "
       "('scheduled', 'available', 'running', 'retryable')",
       params,
       [&](const db::Row& r) -> Status {
         text = std::string(JobKindName(kind)) + " job " + std::to_string(r.Int(0)) + " (" +
                r.Text(1) + ")";
         return Status::Ok();
       })
      .IgnoreError();
  return text;
}

}  // namespace

Result<int64_t> JobQueue::Enqueue(const NewJob& job) {
  if (job.archive.empty()) return InvalidArgument("a job needs an archive");
  if (job.max_attempts < 1) return InvalidArgument("max_attempts must be at least 1");
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const int64_t now = NowMs();
  const int64_t run_after = job.run_after ? ToUnixMs(*job.run_after) : now;
  const std::string state = run_after > now ? "scheduled" : "available";
  int64_t id = 0;
  Status st = db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) {
    const db::Value params[] = {std::string(JobKindName(job.kind)),
                                job.archive,
                                job.payload,
                                state,
                                int64_t{job.max_attempts},
                                now,
                                run_after,
                                job.origin,
                                job.host};
    MV_RETURN_IF_ERROR(t.Query(
        "INSERT INTO jobs_jobs(kind, archive, payload, state, max_attempts, created_ms, "
        "run_after_ms, origin, host) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params, [&](const db::Row& r) {
          id = r.Int(0);
          return Status::Ok();
        }));
    return NotifyJobsChanged(t);
  });
  if (st.IsAlreadyExists()) {
    return AlreadyExists("archive '" + job.archive + "' already has " +
                         ActiveJobText(*c, job.archive, job.kind));
  }
  MV_RETURN_IF_ERROR(st);
  return id;
}

Result<std::optional<Job>> JobQueue::Claim(const std::string& worker) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const int64_t now = NowMs();
  const bool pg = c->dialect() == db::Dialect::kPostgres;
  const std::string sql =
      std::string(
          "UPDATE jobs_jobs SET state = 'running', attempt = attempt + 1, "
          "lease_holder = $1, lease_expires_ms = $2, started_ms = $3 "
          "WHERE id = (SELECT j.id FROM jobs_jobs j ") +
      // SQLite's planner would rather use jobs_by_state and sort; the partial index is in order.
      (pg ? "" : "INDEXED BY jobs_claimable ") +
      std::string(
          "WHERE j.state IN ('scheduled', 'available', 'retryable') "
          "AND j.run_after_ms <= $3 "
          "AND NOT EXISTS (SELECT 1 FROM jobs_archives a "
          "WHERE a.archive = j.archive AND a.paused = 1) "
          "AND NOT EXISTS (SELECT 1 FROM jobs_breakers b "
          "WHERE b.host = j.host AND b.open_until_ms > $3) "
          "ORDER BY j.run_after_ms, j.id LIMIT 1") +
      (pg ? " FOR UPDATE SKIP LOCKED" : "") + ") RETURNING " + kJobColumns;
  const db::Value params[] = {worker, now + options_.lease.count(), now};
  std::optional<Job> job;
  MV_RETURN_IF_ERROR(c->Query(sql, params, [&](const db::Row& r) -> Status {
    MV_ASSIGN_OR_RETURN(Job j, JobFromRow(r));
    job = std::move(j);
    return Status::Ok();
  }));
  if (job && !job->host.empty()) {
    // Half-open: a tripped breaker lets this one job probe the host, the rest wait a cool-down.
    const db::Value bp[] = {job->host, now + options_.breaker_cooldown.count(),
                            int64_t{options_.breaker_threshold}};
    MV_RETURN_IF_ERROR(c->Execute("UPDATE jobs_breakers SET open_until_ms = $2 "
                                  "WHERE host = $1 AND failures >= $3",
                                  bp)
                           .status());
  }
  return job;
}

Status JobQueue::Heartbeat(int64_t id, const std::string& worker) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const db::Value params[] = {id, worker, NowMs() + options_.lease.count()};
  MV_ASSIGN_OR_RETURN(int64_t changed,
                      c->Execute("UPDATE jobs_jobs SET lease_expires_ms = $3 WHERE id = $1 AND "
                                 "lease_holder = $2 AND state = 'running'",
                                 params));
  if (changed == 1) return Status::Ok();
  MV_ASSIGN_OR_RETURN(Job job, ReadJob(*c, id));
  if (job.state == JobState::kCancelled) {
    return PreconditionFailed("job " + std::to_string(id) + " was cancelled");
  }
  return PreconditionFailed("job " + std::to_string(id) + " is no longer " + worker + "'s (" +
                            std::string(JobStateName(job.state)) +
                            (job.lease_holder.empty() ? "" : ", held by " + job.lease_holder) +
                            "): its lease expired and it was rescued");
}

Status JobQueue::Succeed(int64_t id, const std::string& worker, const std::string& result) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const int64_t now = NowMs();
  // One statement records the outcome (the commit point); what follows only keeps the archive's
  // last success and the host's breaker, each idempotent and harmless if a crash skips it.
  const db::Value params[] = {id, worker, now, result};
  std::optional<std::tuple<std::string, std::string, std::string>> done;  // kind, archive, host
  MV_RETURN_IF_ERROR(c->Query(
      "UPDATE jobs_jobs SET state = 'succeeded', finished_ms = $3, result = $4, "
      "lease_holder = NULL, lease_expires_ms = NULL, error_class = '', error_message = '' "
      "WHERE id = $1 AND lease_holder = $2 AND state = 'running' RETURNING kind, archive, host",
      params, [&](const db::Row& r) {
        done.emplace(r.Text(0), r.Text(1), r.Text(2));
        return Status::Ok();
      }));
  if (!done) {
    return PreconditionFailed("job " + std::to_string(id) + " is no longer " + worker +
                              "'s: its outcome is not recorded");
  }
  const auto& [kind, archive, host] = *done;
  if (kind == JobKindName(JobKind::kMirror) || kind == JobKindName(JobKind::kImport)) {
    const db::Value ap[] = {archive, now};
    MV_RETURN_IF_ERROR(c->Execute("INSERT INTO jobs_archives(archive, last_success_ms) "
                                  "VALUES ($1, $2) ON CONFLICT (archive) DO UPDATE SET "
                                  "last_success_ms = excluded.last_success_ms",
                                  ap)
                           .status());
  }
  if (!host.empty()) {
    const db::Value hp[] = {host};
    MV_RETURN_IF_ERROR(c->Execute("DELETE FROM jobs_breakers WHERE host = $1", hp).status());
  }
  return Status::Ok();
}

Result<JobState> JobQueue::Fail(int64_t id, const std::string& worker, const Status& error) {
  const ErrorClass cls = Classify(error);
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const int64_t now = NowMs();
  JobState state = JobState::kFailed;
  Status st =
      db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
        MV_ASSIGN_OR_RETURN(Job job, ReadJob(t, id));
        if (job.state != JobState::kRunning || job.lease_holder != worker) {
          return PreconditionFailed("job " + std::to_string(id) + " is no longer " + worker +
                                    "'s: its failure is not recorded");
        }
        state = cls.transient && job.attempt < job.max_attempts ? JobState::kRetryable
                                                                : JobState::kFailed;
        const int64_t run_after =
            state == JobState::kRetryable
                ? now + RetryDelay(options_.backoff, job.attempt, cls.retry_after).count()
                : now;
        const db::Value params[] = {
            id,        std::string(JobStateName(state)),
            run_after, state == JobState::kFailed ? db::Value(now) : db::Value(nullptr),
            cls.name,  error.message()};
        MV_RETURN_IF_ERROR(t.Execute("UPDATE jobs_jobs SET state = $2, run_after_ms = $3, "
                                     "finished_ms = $4, error_class = $5, error_message = $6, "
                                     "lease_holder = NULL, lease_expires_ms = NULL WHERE id = $1",
                                     params)
                               .status());
        const db::Value ep[] = {id, int64_t{job.attempt}, now, cls.name, error.message()};
        MV_RETURN_IF_ERROR(
            t.Execute("INSERT INTO jobs_errors(job_id, attempt, at_ms, class, message) "
                      "VALUES ($1, $2, $3, $4, $5)",
                      ep)
                .status());
        if (state == JobState::kFailed) {
          const db::Value ap[] = {job.archive, now};
          MV_RETURN_IF_ERROR(t.Execute("INSERT INTO jobs_archives(archive, last_failure_ms) "
                                       "VALUES ($1, $2) ON CONFLICT (archive) DO UPDATE SET "
                                       "last_failure_ms = excluded.last_failure_ms",
                                       ap)
                                 .status());
        }
        if (cls.transient && !job.host.empty()) {
          // One more transient failure in a row; at the threshold the breaker opens.
          const db::Value bp[] = {job.host, now + options_.breaker_cooldown.count(),
                                  int64_t{options_.breaker_threshold}};
          MV_RETURN_IF_ERROR(
              t.Execute(
                   "INSERT INTO jobs_breakers(host, failures, open_until_ms) VALUES ($1, 1, "
                   "CASE WHEN 1 >= CAST($3 AS BIGINT) THEN CAST($2 AS BIGINT) ELSE 0 END) "
                   "ON CONFLICT (host) DO UPDATE SET failures = jobs_breakers.failures + 1, "
                   "open_until_ms = CASE WHEN jobs_breakers.failures + 1 >= CAST($3 AS BIGINT) "
                   "THEN CAST($2 AS BIGINT) ELSE jobs_breakers.open_until_ms END",
                   bp)
                  .status());
        }
        return Status::Ok();
      });
  MV_RETURN_IF_ERROR(st);
  return state;
}

Result<int> JobQueue::RescueExpired() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const int64_t now = NowMs();
  std::vector<Job> expired;
  const db::Value params[] = {now};
  MV_RETURN_IF_ERROR(c->Query(std::string("SELECT ") + kJobColumns +
                                  " FROM jobs_jobs WHERE state = 'running' AND "
                                  "lease_expires_ms < $1",
                              params, [&](const db::Row& r) -> Status {
                                MV_ASSIGN_OR_RETURN(Job j, JobFromRow(r));
                                expired.push_back(std::move(j));
                                return Status::Ok();
                              }));
  int rescued = 0;
  for (const Job& job : expired) {
    const bool spent = job.attempt >= job.max_attempts;
    const std::string message = "the lease of " + job.lease_holder + " expired (attempt " +
                                std::to_string(job.attempt) + "): rescued";
    bool did = false;
    Status st =
        db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
          did = false;
          // Only if it is still the same attempt under the same expired lease: two rescuers
          // cannot both rescue it.
          const db::Value up[] = {job.id,
                                  spent ? "failed" : "retryable",
                                  now,
                                  spent ? db::Value(now) : db::Value(nullptr),
                                  message,
                                  job.lease_holder,
                                  int64_t{job.attempt}};
          MV_ASSIGN_OR_RETURN(
              int64_t changed,
              t.Execute("UPDATE jobs_jobs SET state = $2, run_after_ms = $3, "
                        "finished_ms = $4, rescues = rescues + 1, error_class = "
                        "'lease_expired', error_message = $5, lease_holder = NULL, "
                        "lease_expires_ms = NULL WHERE id = $1 AND state = 'running' "
                        "AND lease_holder = $6 AND attempt = $7 AND lease_expires_ms < $3",
                        up));
          if (changed != 1) return Status::Ok();
          did = true;
          const db::Value ep[] = {job.id, int64_t{job.attempt}, now, std::string("lease_expired"),
                                  message};
          return t
              .Execute(
                  "INSERT INTO jobs_errors(job_id, attempt, at_ms, class, message) "
                  "VALUES ($1, $2, $3, $4, $5)",
                  ep)
              .status();
        });
    MV_RETURN_IF_ERROR(st);
    if (did) ++rescued;
  }
  return rescued;
}

Result<bool> JobQueue::TakeTick(const std::string& archive, std::chrono::milliseconds every) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const int64_t now = NowMs();
  const db::Value insert[] = {archive};
  MV_RETURN_IF_ERROR(c->Execute("INSERT INTO jobs_archives(archive) VALUES ($1) "
                                "ON CONFLICT (archive) DO NOTHING",
                                insert)
                         .status());
  const db::Value params[] = {archive, now, now + every.count()};
  MV_ASSIGN_OR_RETURN(int64_t changed,
                      c->Execute("UPDATE jobs_archives SET next_tick_ms = $3 WHERE archive = $1 "
                                 "AND next_tick_ms <= $2 AND paused = 0",
                                 params));
  return changed == 1;
}

Result<int64_t> JobQueue::Prune(std::chrono::milliseconds keep) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
  const db::Value params[] = {NowMs() - keep.count()};
  int64_t forgotten = 0;
  Status st =
      db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
        // The error rows first: not every catalog enforces the foreign key's cascade.
        MV_RETURN_IF_ERROR(
            t.Execute("DELETE FROM jobs_errors WHERE job_id IN (SELECT id FROM jobs_jobs "
                      "WHERE state IN ('succeeded', 'cancelled') AND finished_ms < $1)",
                      params)
                .status());
        MV_ASSIGN_OR_RETURN(forgotten,
                            t.Execute("DELETE FROM jobs_jobs WHERE state IN ('succeeded', "
                                      "'cancelled') AND finished_ms < $1",
                                      params));
        return t.Execute("DELETE FROM jobs_audit WHERE at_ms < $1", params).status();
      });
  MV_RETURN_IF_ERROR(st);
  return forgotten;
}

}  // namespace mv::jobs
