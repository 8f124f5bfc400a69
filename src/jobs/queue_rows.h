// Internal to src/jobs: the jobs_jobs columns every query reads, their conversion to Job, and the
// notification of a change (JobQueue, JobAdmin and JobStats share them).
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

// A row of kJobColumns; Internal when the kind or state is not one this version knows.
Result<Job> JobFromRow(const db::Row& row);
// The job, read with `c`; NotFound naming the id.
Result<Job> ReadJob(db::Connection& c, int64_t id);
// Tells waiting workers that jobs changed (PostgreSQL NOTIFY mirrorvault_jobs; nothing on SQLite,
// whose commits the listener sees).
Status NotifyJobsChanged(db::Connection& c);

}  // namespace mv::jobs
