#include "jobs/job_stats.h"

#include <cstdio>

#include "jobs/queue_rows.h"
#include "util/time_format.h"

namespace mv::jobs {
namespace {

// "2026-11-22" (UTC) of a time.
std::string Day(TimePoint t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// Archives whose newest mirror or import job failed.
constexpr const char* kFailedArchives =
    "SELECT COUNT(*) FROM jobs_jobs j WHERE j.state = 'failed' AND j.kind IN ('mirror', 'import') "
    "AND j.id = (SELECT MAX(k.id) FROM jobs_jobs k WHERE k.archive = j.archive AND "
    "k.kind IN ('mirror', 'import'))";

}  // namespace

Result<QueueStats> JobStats::Stats() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  const int64_t now = ToUnixMs(queue_.clock().Now());
  QueueStats s;
  MV_RETURN_IF_ERROR(c->Query("SELECT kind, state, COUNT(*) FROM jobs_jobs GROUP BY kind, state",
                              {}, [&](const db::Row& r) -> Status {
                                MV_ASSIGN_OR_RETURN(JobKind kind, ParseJobKind(r.Text(0)));
                                MV_ASSIGN_OR_RETURN(JobState state, ParseJobState(r.Text(1)));
                                s.counts.emplace_back(kind, state, r.Int(2));
                                return Status::Ok();
                              }));
  const db::Value nowp[] = {now};
  MV_RETURN_IF_ERROR(
      c->Query("SELECT MIN(run_after_ms) FROM jobs_jobs WHERE state IN ('scheduled', 'available', "
               "'retryable') AND run_after_ms <= $1",
               nowp, [&](const db::Row& r) {
                 if (!r.IsNull(0)) s.lag = std::chrono::milliseconds(now - r.Int(0));
                 return Status::Ok();
               }));
  MV_RETURN_IF_ERROR(
      c->Query("SELECT COALESCE(SUM(rescues), 0), COALESCE(SUM(attempt), 0) "
               "FROM jobs_jobs",
               {}, [&](const db::Row& r) {
                 s.rescues = r.Int(0);
                 s.attempts = r.Int(1);
                 return Status::Ok();
               }));
  MV_RETURN_IF_ERROR(
      c->Query("SELECT error_class, COUNT(*) FROM jobs_jobs WHERE state = "
               "'failed' GROUP BY error_class ORDER BY error_class",
               {}, [&](const db::Row& r) {
                 s.failures_by_class.emplace_back(r.Text(0), r.Int(1));
                 return Status::Ok();
               }));
  MV_RETURN_IF_ERROR(
      c->Query("SELECT archive, last_success_ms FROM jobs_archives WHERE "
               "last_success_ms IS NOT NULL ORDER BY archive",
               {}, [&](const db::Row& r) {
                 s.last_success.emplace_back(r.Text(0), FromUnixMs(r.Int(1)));
                 return Status::Ok();
               }));
  MV_RETURN_IF_ERROR(
      c->Query("SELECT host FROM jobs_breakers WHERE open_until_ms > $1 ORDER BY host", nowp,
               [&](const db::Row& r) {
                 s.open_breakers.push_back(r.Text(0));
                 return Status::Ok();
               }));
  MV_RETURN_IF_ERROR(c->Query(kFailedArchives, {}, [&](const db::Row& r) {
    s.failed_archives = r.Int(0);
    return Status::Ok();
  }));
  std::string sql = "SELECT kind, COUNT(*), COALESCE(SUM(finished_ms - started_ms), 0)";
  for (double bound : DurationStats::kBounds) {
    sql += ", COALESCE(SUM(CASE WHEN finished_ms - started_ms <= " +
           std::to_string(static_cast<int64_t>(bound * 1000)) + " THEN 1 ELSE 0 END), 0)";
  }
  sql +=
      " FROM jobs_jobs WHERE state = 'succeeded' AND started_ms IS NOT NULL GROUP BY kind "
      "ORDER BY kind";
  MV_RETURN_IF_ERROR(c->Query(sql, {}, [&](const db::Row& r) -> Status {
    DurationStats d;
    MV_ASSIGN_OR_RETURN(d.kind, ParseJobKind(r.Text(0)));
    d.count = r.Int(1);
    d.sum_seconds = static_cast<double>(r.Int(2)) / 1000.0;
    for (size_t i = 0; i < std::size(DurationStats::kBounds); ++i) d.le[i] = r.Int(3 + i);
    s.durations.push_back(d);
    return Status::Ok();
  }));
  return s;
}

Status JobStats::RecordBaseline() {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  int64_t failed = 0;
  MV_RETURN_IF_ERROR(c->Query(kFailedArchives, {}, [&](const db::Row& r) {
    failed = r.Int(0);
    return Status::Ok();
  }));
  const TimePoint now = queue_.clock().Now();
  const db::Value params[] = {Day(now), failed, ToUnixMs(now)};
  return c
      ->Execute(
          "INSERT INTO jobs_baseline(day, failed_archives, recorded_ms) VALUES ($1, $2, "
          "$3) ON CONFLICT (day) DO UPDATE SET failed_archives = "
          "excluded.failed_archives, recorded_ms = excluded.recorded_ms",
          params)
      .status();
}

Result<std::vector<int64_t>> JobStats::Baseline(int days) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease c, queue_.database().Acquire());
  const TimePoint now = queue_.clock().Now();
  const db::Value params[] = {Day(now - std::chrono::days(days)), Day(now)};
  std::vector<int64_t> out;
  MV_RETURN_IF_ERROR(
      c->Query("SELECT failed_archives FROM jobs_baseline WHERE day >= $1 AND "
               "day < $2 ORDER BY day",
               params, [&](const db::Row& r) {
                 out.push_back(r.Int(0));
                 return Status::Ok();
               }));
  return out;
}

}  // namespace mv::jobs
