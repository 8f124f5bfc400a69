#include "cli/jobs_access.h"

#include <cstdlib>

#include "db/database.h"
#include "util/host.h"

namespace mv::cli {

Result<std::unique_ptr<jobs::JobQueue>> OpenJobQueue(CliContext& context,
                                                     jobs::QueueOptions options) {
  MV_ASSIGN_OR_RETURN(std::shared_ptr<db::Database> database,
                      db::OpenDatabase(context.config().catalog, {.max_idle_connections = 64}));
  return OpenJobQueue(std::move(database), options);
}

Result<std::unique_ptr<jobs::JobQueue>> OpenJobQueue(std::shared_ptr<db::Database> database,
                                                     jobs::QueueOptions options) {
  return jobs::JobQueue::Open(std::move(database), options);
}

std::string OperatorName() {
  const char* user = std::getenv("USER");
  return std::string(user != nullptr && *user != 0 ? user : "unknown") + "@" + HostName() +
         " (cli)";
}

}  // namespace mv::cli
