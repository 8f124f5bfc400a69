#include "jobs/job_json.h"

#include "util/time_format.h"

namespace mv::jobs {
namespace {

namespace json = boost::json;

json::value Time(const std::optional<TimePoint>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

}  // namespace

json::object JobJson(const Job& j, bool with_errors) {
  json::object o{
      {"id", j.id},
      {"kind", std::string(JobKindName(j.kind))},
      {"archive", j.archive},
      {"state", std::string(JobStateName(j.state))},
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
      {"error_class", j.error_class.empty() ? json::value(nullptr) : json::value(j.error_class)},
      {"error_message",
       j.error_message.empty() ? json::value(nullptr) : json::value(j.error_message)},
  };
  if (with_errors) {
    json::array errors;
    for (const JobError& e : j.errors) {
      errors.push_back(json::object{{"attempt", e.attempt},
                                    {"at", FormatRfc3339(e.at)},
                                    {"class", e.error_class},
                                    {"message", e.message}});
    }
    o["errors"] = std::move(errors);
  }
  return o;
}

json::array JobsJson(const std::vector<Job>& jobs) {
  json::array out;
  for (const Job& j : jobs) out.push_back(JobJson(j));
  return out;
}

json::array FailuresJson(const std::vector<FailureGroup>& groups) {
  json::array out;
  for (const FailureGroup& g : groups) {
    json::array archives;
    for (const std::string& name : g.archives) archives.push_back(json::value(name));
    out.push_back(json::object{{"signature", g.signature},
                               {"error_class", g.error_class},
                               {"jobs", g.jobs},
                               {"archives", std::move(archives)},
                               {"example", g.example},
                               {"last", FormatRfc3339(g.last)}});
  }
  return out;
}

json::array ArchivesJson(const std::vector<ArchiveStatus>& archives) {
  json::array out;
  for (const ArchiveStatus& s : archives) {
    out.push_back(json::object{
        {"archive", s.archive},
        {"paused", s.paused},
        {"paused_by", s.paused_by},
        {"next_tick", Time(s.next_tick)},
        {"last_success", Time(s.last_success)},
        {"last_failure", Time(s.last_failure)},
        {"last_state", s.last_state ? json::value(std::string(JobStateName(*s.last_state)))
                                    : json::value(nullptr)},
        {"last_error", s.last_error}});
  }
  return out;
}

}  // namespace mv::jobs
