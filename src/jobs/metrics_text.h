// The import service's numbers in the Prometheus text format, for /metrics of `mirrorvault
// serve`: jobs by kind and state, queue lag, attempts and rescues, failed jobs by class, job
// durations, failed archives, open circuit breakers, and each archive's last success.
#pragma once

#include <string>

#include "jobs/job_stats.h"

namespace mv::jobs {

std::string RenderJobMetrics(const QueueStats& stats);

}  // namespace mv::jobs
