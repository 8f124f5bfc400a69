// Executor: runs one kind of job. The worker calls Run outside any transaction, renewing the
// job's lease meanwhile; `stop` turns true when the job was cancelled, its lease was lost or the
// worker is shutting down, and a long executor checks it between steps.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "jobs/queue.h"
#include "util/status.h"

namespace mv::jobs {

struct JobOutcome {
  std::string summary;             // one line, kept as the job's result
  std::vector<NewJob> follow_ups;  // enqueued after success (a publish after a mirror)
};

class Executor {
 public:
  virtual ~Executor() = default;
  // The failure's Status is classified by jobs/error_class.h: transient ones are retried.
  virtual Result<JobOutcome> Run(const Job& job, const std::atomic<bool>& stop) = 0;
};

}  // namespace mv::jobs
