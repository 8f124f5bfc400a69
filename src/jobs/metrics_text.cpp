#include "jobs/metrics_text.h"

#include <cstdio>

namespace mv::jobs {
namespace {

// A label value with \, " and newlines escaped as the text format wants.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string RenderJobMetrics(const QueueStats& s) {
  std::string o;
  o += "# HELP mirrorvault_jobs Jobs in the queue by kind and state.\n# TYPE mirrorvault_jobs "
       "gauge\n";
  for (const auto& [kind, state, n] : s.counts) {
    o += "mirrorvault_jobs{kind=\"" + std::string(JobKindName(kind)) + "\",state=\"" +
         std::string(JobStateName(state)) + "\"} " + std::to_string(n) + "\n";
  }
  o += "# HELP mirrorvault_jobs_queue_lag_seconds Age of the oldest job that may run now.\n"
       "# TYPE mirrorvault_jobs_queue_lag_seconds gauge\nmirrorvault_jobs_queue_lag_seconds " +
       Number(std::chrono::duration<double>(s.lag).count()) + "\n";
  o += "# HELP mirrorvault_job_attempts_total Attempts started, rescues included.\n"
       "# TYPE mirrorvault_job_attempts_total counter\nmirrorvault_job_attempts_total " +
       std::to_string(s.attempts) + "\n";
  o += "# HELP mirrorvault_job_rescues_total Jobs rescued from an expired lease.\n"
       "# TYPE mirrorvault_job_rescues_total counter\nmirrorvault_job_rescues_total " +
       std::to_string(s.rescues) + "\n";
  o += "# HELP mirrorvault_jobs_failed_by_class Failed (parked) jobs by error class.\n"
       "# TYPE mirrorvault_jobs_failed_by_class gauge\n";
  for (const auto& [cls, n] : s.failures_by_class) {
    o += "mirrorvault_jobs_failed_by_class{class=\"" + Label(cls) + "\"} " + std::to_string(n) +
         "\n";
  }
  o += "# HELP mirrorvault_failed_archives Archives whose newest mirror or import job failed.\n"
       "# TYPE mirrorvault_failed_archives gauge\nmirrorvault_failed_archives " +
       std::to_string(s.failed_archives) + "\n";
  o += "# HELP mirrorvault_job_duration_seconds Durations of succeeded jobs.\n"
       "# TYPE mirrorvault_job_duration_seconds histogram\n";
  for (const DurationStats& d : s.durations) {
    const std::string kind = std::string(JobKindName(d.kind));
    for (size_t i = 0; i < std::size(DurationStats::kBounds); ++i) {
      o += "mirrorvault_job_duration_seconds_bucket{kind=\"" + kind + "\",le=\"" +
           Number(DurationStats::kBounds[i]) + "\"} " + std::to_string(d.le[i]) + "\n";
    }
    o += "mirrorvault_job_duration_seconds_bucket{kind=\"" + kind + "\",le=\"+Inf\"} " +
         std::to_string(d.count) + "\n";
    o += "mirrorvault_job_duration_seconds_sum{kind=\"" + kind + "\"} " + Number(d.sum_seconds) +
         "\n";
    o += "mirrorvault_job_duration_seconds_count{kind=\"" + kind + "\"} " +
         std::to_string(d.count) + "\n";
  }
  o += "# HELP mirrorvault_archive_last_success_timestamp_seconds When each archive's last mirror "
       "or import succeeded.\n# TYPE mirrorvault_archive_last_success_timestamp_seconds gauge\n";
  for (const auto& [archive, t] : s.last_success) {
    o += "mirrorvault_archive_last_success_timestamp_seconds{archive=\"" + Label(archive) + "\"} " +
         Number(std::chrono::duration<double>(t.time_since_epoch()).count()) + "\n";
  }
  o += "# HELP mirrorvault_upstream_breaker_open Upstream hosts whose circuit breaker is open.\n"
       "# TYPE mirrorvault_upstream_breaker_open gauge\n";
  for (const std::string& host : s.open_breakers) {
    o += "mirrorvault_upstream_breaker_open{host=\"" + Label(host) + "\"} 1\n";
  }
  return o;
}

}  // namespace mv::jobs
