// What the import-service subcommands (worker, jobs, check) share: the job queue in the
// configured catalog and the operator's name for the audit log.
#pragma once

#include <memory>
#include <string>

#include "cli/cli_context.h"
#include "db/database.h"
#include "jobs/queue.h"

namespace mv::cli {

// The job queue in the configured catalog (opened here).
Result<std::unique_ptr<jobs::JobQueue>> OpenJobQueue(CliContext& context,
                                                     jobs::QueueOptions options = {});
// The job queue in a catalog database already open (serve shares the archive's).
Result<std::unique_ptr<jobs::JobQueue>> OpenJobQueue(std::shared_ptr<db::Database> database,
                                                     jobs::QueueOptions options = {});
// Who acts, for the audit log: "$USER@host (cli)".
std::string OperatorName();

void RegisterWorker(CLI::App& app, CliContext& context, int* exit_code);
void RegisterJobs(CLI::App& app, CliContext& context, int* exit_code);
void RegisterCheck(CLI::App& app, CliContext& context, int* exit_code);

}  // namespace mv::cli
