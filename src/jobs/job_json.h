// Jobs, failure groups and archive states as JSON, the one form the CLI (`--json`) and the
// admin API (/admin/) share. Times are RFC 3339 UTC strings, or null when unset.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "jobs/job.h"
#include "jobs/job_admin.h"

namespace mv::jobs {

// `with_errors` adds the error history ("errors", possibly empty), as `jobs show` has it.
boost::json::object JobJson(const Job& job, bool with_errors = false);
boost::json::array JobsJson(const std::vector<Job>& jobs);
boost::json::array FailuresJson(const std::vector<FailureGroup>& groups);
boost::json::array ArchivesJson(const std::vector<ArchiveStatus>& archives);

}  // namespace mv::jobs
