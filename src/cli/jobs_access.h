// What the import-service subcommands (worker, jobs, check) share: the job queue in the
// configured catalog, the operator's name for the audit log, and jobs as JSON.
#pragma once

#include <memory>
#include <string>

#include <boost/json.hpp>

#include "cli/cli_context.h"
#include "jobs/queue.h"

namespace mv::cli {

Result<std::unique_ptr<jobs::JobQueue>> OpenJobQueue(CliContext& context,
                                                     jobs::QueueOptions options = {});
// Who acts, for the audit log: "$USER@host (cli)".
std::string OperatorName();
// A job as JSON; `with_errors` adds its error history ("errors", possibly empty) as `jobs show`.
boost::json::object JobJson(const jobs::Job& job, bool with_errors = false);

void RegisterWorker(CLI::App& app, CliContext& context, int* exit_code);
void RegisterJobs(CLI::App& app, CliContext& context, int* exit_code);
void RegisterCheck(CLI::App& app, CliContext& context, int* exit_code);

}  // namespace mv::cli
