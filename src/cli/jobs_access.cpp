#include "cli/jobs_access.h"

#include <unistd.h>

#include <cstdlib>

#include "db/database.h"
#include "util/time_format.h"

namespace mv::cli {

namespace json = boost::json;

Result<std::unique_ptr<jobs::JobQueue>> OpenJobQueue(CliContext& context,
                                                     jobs::QueueOptions options) {
  MV_ASSIGN_OR_RETURN(std::shared_ptr<db::Database> database,
                      db::OpenDatabase(context.config().catalog, {.max_idle_connections = 64}));
  return jobs::JobQueue::Open(std::move(database), std::move(options));
}

std::string OperatorName() {
  const char* user = std::getenv("USER");
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(user != nullptr && *user != 0 ? user : "unknown") + "@" + host + " (cli)";
}

namespace {

json::value Time(const std::optional<jobs::TimePoint>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

}  // namespace

json::object JobJson(const jobs::Job& j, bool with_errors) {
  json::object o{
      {"id", j.id},
      {"kind", std::string(jobs::JobKindName(j.kind))},
      {"archive", j.archive},
      {"state", std::string(jobs::JobStateName(j.state))},
      {"attempt", j.attempt},
      {"max_attempts", j.max_attempts},
      {"rescues", j.rescues},
      {"created", FormatRfc3339(j.created)},
      {"run_after", FormatRfc3339(j.run_after)},
      {"started", Time(j.started)},
      {"finished", Time(j.finished)},
      {"lease_holder", j.lease_holder.empty() ? json::value(nullptr) : json::value(j.lease_holder)},
      {"origin", j.origin},
      {"host", j.host},
      {"payload", j.payload},
      {"result", j.result},
      {"error_class", j.error_class},
      {"error_message", j.error_message},
  };
  if (with_errors) {
    json::array errors;
    for (const jobs::JobError& e : j.errors) {
      errors.push_back(json::object{{"attempt", e.attempt}, {"at", FormatRfc3339(e.at)},
                                    {"class", e.error_class}, {"message", e.message}});
    }
    o["errors"] = std::move(errors);
  }
  return o;
}

}  // namespace mv::cli
