// Internal to src/jobs: the jobs_jobs columns every query reads, and their conversion to Job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "db/database.h"
#include "jobs/job.h"

namespace mv::jobs {

inline constexpr const char* kJobColumns =
    "id, kind, archive, payload, state, attempt, max_attempts, rescues, created_ms, "
    "run_after_ms, started_ms, finished_ms, lease_holder, lease_expires_ms, origin, host, "
    "result, error_class, error_message";

int64_t ToMs(TimePoint t);
TimePoint FromMs(int64_t ms);
// A row of kJobColumns; Internal when the kind or state is not one this version knows.
Result<Job> JobFromRow(const db::Row& row);
// The job, read with `c`; NotFound naming the id.
Result<Job> ReadJob(db::Connection& c, int64_t id);

}  // namespace mv::jobs
