#include "jobs/job_admin.h"

#include <algorithm>
#include <map>
#include <set>

#include "jobs/error_class.h"
#include "jobs/queue_rows.h"
#include "util/time_format.h"

namespace mv::jobs {

int64_t JobAdmin::NowMs() { return ToUnixMs(queue_.clock().Now()); }

Status JobAdmin::AuditLog(db::Connection& c, const std::string& who, const std::string& action,
                          const std::string& target, const std::string& detail) {
  const db::Value params[] = {NowMs(), who, action, target, detail};
  return c
      .Execute(
          "INSERT INTO jobs_audit(at_ms, who, action, target, detail) "
          "VALUES ($1, $2, $3, $4, $5)",
          params)
      .status();
}

Status JobAdmin::Record(const std::string& who, const std::string& action,
                        const std::string& target, const std::string& detail) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  return AuditLog(*c, who, action, target, detail);
}

Result<std::vector<Job>> JobAdmin::List(const JobFilter& filter) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs_jobs WHERE 1 = 1";
  std::vector<db::Value> params;
  if (filter.state) {
    params.emplace_back(std::string(JobStateName(*filter.state)));
    sql += " AND state = $" + std::to_string(params.size());
  }
  if (!filter.archive.empty()) {
    params.emplace_back(filter.archive);
    sql += " AND archive = $" + std::to_string(params.size());
  }
  if (filter.kind) {
    params.emplace_back(std::string(JobKindName(*filter.kind)));
    sql += " AND kind = $" + std::to_string(params.size());
  }
  params.emplace_back(int64_t{std::max(filter.limit, 1)});
  sql += " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
  std::vector<Job> out;
  MV_RETURN_IF_ERROR(c->Query(sql, params, [&](const db::Row& r) -> Status {
    MV_ASSIGN_OR_RETURN(Job j, JobFromRow(r));
    out.push_back(std::move(j));
    return Status::Ok();
  }));
  return out;
}

Result<Job> JobAdmin::Show(int64_t id) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  MV_ASSIGN_OR_RETURN(Job job, ReadJob(*c, id));
  const db::Value params[] = {id};
  MV_RETURN_IF_ERROR(
      c->Query("SELECT attempt, at_ms, class, message FROM jobs_errors WHERE "
               "job_id = $1 ORDER BY attempt",
               params, [&](const db::Row& r) {
                 job.errors.push_back(
                     {static_cast<int>(r.Int(0)), FromUnixMs(r.Int(1)), r.Text(2), r.Text(3)});
                 return Status::Ok();
               }));
  return job;
}

Status JobAdmin::Retry(int64_t id, const std::string& who) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  const int64_t now = NowMs();
  Status st =
      db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
        MV_ASSIGN_OR_RETURN(Job job, ReadJob(t, id));
        if (job.state != JobState::kFailed && job.state != JobState::kCancelled) {
          return PreconditionFailed("job " + std::to_string(id) + " is " +
                                    std::string(JobStateName(job.state)) +
                                    ": only failed or cancelled jobs are retried");
        }
        // A fresh budget of attempts; the history stays.
        const db::Value params[] = {
            id, now, int64_t{job.attempt + std::max(queue_.options().retry_attempts, 1)}};
        MV_RETURN_IF_ERROR(t.Execute("UPDATE jobs_jobs SET state = 'available', run_after_ms = $2, "
                                     "finished_ms = NULL, max_attempts = $3 WHERE id = $1",
                                     params)
                               .status());
        MV_RETURN_IF_ERROR(AuditLog(
            t, who, "retry", "job " + std::to_string(id),
            job.archive + " " + std::string(JobKindName(job.kind)) + ": " + job.error_class));
        return NotifyJobsChanged(t);
      });
  if (st.IsAlreadyExists()) {
    MV_ASSIGN_OR_RETURN(Job job, ReadJob(*c, id));
    return AlreadyExists("job " + std::to_string(id) + " is not retried: archive '" + job.archive +
                         "' already has another active " + std::string(JobKindName(job.kind)) +
                         " job");
  }
  return st;
}

Result<std::vector<int64_t>> JobAdmin::RetryFailed(const std::string& archive,
                                                   const std::string& error_class,
                                                   const std::string& who) {
  JobFilter filter{.state = JobState::kFailed, .archive = archive, .limit = 100000};
  MV_ASSIGN_OR_RETURN(std::vector<Job> failed, List(filter));
  std::vector<int64_t> retried;
  for (const Job& job : failed) {
    if (!error_class.empty() && job.error_class != error_class) continue;
    Status st = Retry(job.id, who);
    if (st.IsAlreadyExists() || st.IsPreconditionFailed()) continue;  // superseded meanwhile
    MV_RETURN_IF_ERROR(st);
    retried.push_back(job.id);
  }
  std::sort(retried.begin(), retried.end());
  return retried;
}

Status JobAdmin::Cancel(int64_t id, const std::string& who) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  const int64_t now = NowMs();
  return db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
    MV_ASSIGN_OR_RETURN(Job job, ReadJob(t, id));
    if (!IsActive(job.state)) {
      return PreconditionFailed("job " + std::to_string(id) + " is " +
                                std::string(JobStateName(job.state)) + ": nothing to cancel");
    }
    // A running job keeps its lease holder, whose next heartbeat learns of the cancellation.
    const db::Value params[] = {id, now};
    MV_RETURN_IF_ERROR(t.Execute("UPDATE jobs_jobs SET state = 'cancelled', finished_ms = $2 "
                                 "WHERE id = $1",
                                 params)
                           .status());
    return AuditLog(t, who, "cancel", "job " + std::to_string(id),
                    job.archive + " " + std::string(JobKindName(job.kind)) + " (" +
                        std::string(JobStateName(job.state)) + ")");
  });
}

Result<int64_t> JobAdmin::RunNow(const std::string& archive, JobKind kind,
                                 const std::string& payload, const std::string& host,
                                 const std::string& who) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  // Hurry the active job, else enqueue one. Another producer (a worker's scheduler taking the
  // archive's tick) may enqueue the active job between the two: the insert then fails with
  // AlreadyExists, and the next round hurries that job instead. A job that another worker also
  // finished meanwhile lets the insert succeed; a third round is for the unlikely case that both
  // happen again.
  constexpr int kRounds = 3;
  for (int round = 1;; ++round) {
    const int64_t now = NowMs();
    std::optional<int64_t> id;
    Status updated =
        db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
          id.reset();
          const db::Value params[] = {archive, std::string(JobKindName(kind)), now};
          MV_RETURN_IF_ERROR(t.Query(
              "UPDATE jobs_jobs SET run_after_ms = $3, state = CASE WHEN state = 'scheduled' "
              "THEN 'available' ELSE state END WHERE archive = $1 AND kind = $2 AND state IN "
              "('scheduled', 'available', 'retryable', 'running') RETURNING id",
              params, [&](const db::Row& r) {
                id = r.Int(0);
                return Status::Ok();
              }));
          if (id) {
            MV_RETURN_IF_ERROR(
                AuditLog(t, who, "run-now", archive,
                         std::string(JobKindName(kind)) + " job " + std::to_string(*id)));
            return NotifyJobsChanged(t);
          }
          return Status::Ok();
        });
    MV_RETURN_IF_ERROR(updated);
    if (id) return *id;
    Result<int64_t> added = queue_.Enqueue({.kind = kind,
                                            .archive = archive,
                                            .payload = payload,
                                            .origin = "run-now by " + who,
                                            .host = host});
    if (added.ok()) {
      MV_RETURN_IF_ERROR(
          AuditLog(*c, who, "run-now", archive,
                   std::string(JobKindName(kind)) + " job " + std::to_string(*added)));
      return added;
    }
    if (!added.status().IsAlreadyExists() || round == kRounds) return added;
  }
}

namespace {

Status SetPaused(db::Connection& c, const std::string& archive, bool paused,
                 const std::string& who) {
  const db::Value params[] = {archive, int64_t{paused ? 1 : 0}, paused ? who : std::string()};
  return c
      .Execute(
          "INSERT INTO jobs_archives(archive, paused, paused_by) VALUES ($1, $2, $3) "
          "ON CONFLICT (archive) DO UPDATE SET paused = excluded.paused, "
          "paused_by = excluded.paused_by",
          params)
      .status();
}

}  // namespace

Status JobAdmin::Pause(const std::string& archive, const std::string& who) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  return db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
    MV_RETURN_IF_ERROR(SetPaused(t, archive, true, who));
    return AuditLog(t, who, "pause", archive, "");
  });
}

Status JobAdmin::Resume(const std::string& archive, const std::string& who) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  return db::WithTransaction(*c, db::TransactionMode::kWrite, [&](db::Connection& t) -> Status {
    MV_RETURN_IF_ERROR(SetPaused(t, archive, false, who));
    MV_RETURN_IF_ERROR(AuditLog(t, who, "resume", archive, ""));
    return NotifyJobsChanged(t);
  });
}

Result<std::vector<FailureGroup>> JobAdmin::Failures(const std::string& archive) {
  JobFilter filter{.state = JobState::kFailed, .archive = archive, .limit = 1000000};
  MV_ASSIGN_OR_RETURN(std::vector<Job> failed, List(filter));
  std::map<std::string, FailureGroup> groups;
  std::map<std::string, std::set<std::string>> archives;
  for (const Job& job : failed) {
    std::string sig = FailureSignature(job.error_class, job.error_message);
    FailureGroup& g = groups[sig];
    if (g.jobs == 0) {
      g.signature = sig;
      g.error_class = job.error_class;
      g.example = job.error_message;
    }
    ++g.jobs;
    archives[sig].insert(job.archive);
    if (job.finished && *job.finished > g.last) g.last = *job.finished;
  }
  std::vector<FailureGroup> out;
  for (auto& [sig, g] : groups) {
    for (const std::string& a : archives[sig]) {
      if (g.archives.size() == 20) break;
      g.archives.push_back(a);
    }
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const FailureGroup& a, const FailureGroup& b) {
    return a.jobs != b.jobs ? a.jobs > b.jobs : a.signature < b.signature;
  });
  return out;
}

Result<std::vector<ArchiveStatus>> JobAdmin::Archives() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  std::map<std::string, ArchiveStatus> by_name;
  MV_RETURN_IF_ERROR(
      c->Query("SELECT archive, paused, paused_by, next_tick_ms, last_success_ms, last_failure_ms "
               "FROM jobs_archives",
               {}, [&](const db::Row& r) {
                 ArchiveStatus& a = by_name[r.Text(0)];
                 a.archive = r.Text(0);
                 a.paused = r.Int(1) != 0;
                 a.paused_by = r.Text(2);
                 if (r.Int(3) > 0) a.next_tick = FromUnixMs(r.Int(3));
                 if (!r.IsNull(4)) a.last_success = FromUnixMs(r.Int(4));
                 if (!r.IsNull(5)) a.last_failure = FromUnixMs(r.Int(5));
                 return Status::Ok();
               }));
  MV_RETURN_IF_ERROR(
      c->Query("SELECT archive, state, error_message FROM jobs_jobs WHERE id IN "
               "(SELECT MAX(id) FROM jobs_jobs GROUP BY archive)",
               {}, [&](const db::Row& r) -> Status {
                 ArchiveStatus& a = by_name[r.Text(0)];
                 a.archive = r.Text(0);
                 MV_ASSIGN_OR_RETURN(JobState state, ParseJobState(r.Text(1)));
                 a.last_state = state;
                 if (state == JobState::kFailed || state == JobState::kRetryable)
                   a.last_error = r.Text(2);
                 return Status::Ok();
               }));
  std::vector<ArchiveStatus> out;
  for (auto& [name, a] : by_name) out.push_back(std::move(a));
  return out;
}

Result<std::vector<AuditEntry>> JobAdmin::Audit(int limit) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  std::vector<AuditEntry> out;
  const db::Value params[] = {int64_t{std::max(limit, 1)}};
  MV_RETURN_IF_ERROR(
      c->Query("SELECT at_ms, who, action, target, detail FROM jobs_audit "
               "ORDER BY id DESC LIMIT $1",
               params, [&](const db::Row& r) {
                 out.emplace_back(FromUnixMs(r.Int(0)), r.Text(1), r.Text(2), r.Text(3), r.Text(4));
                 return Status::Ok();
               }));
  return out;
}

}  // namespace mv::jobs
