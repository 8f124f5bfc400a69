// /jobs/: the import service at a glance (docs/design.md section 11): every archive
// with its last job, last success, next tick and last error; failures grouped by signature; the
// newest jobs. Read-only; actions are the admin API's. JSON with Accept: application/json.
#include <boost/json.hpp>

#include "jobs/job_json.h"
#include "server/admin_api.h"
#include "server/html.h"
#include "server/serve_context.h"
#include "util/time_format.h"

namespace mv::server {
namespace {

namespace json = boost::json;

std::string When(const std::optional<jobs::TimePoint>& t) {
  return t ? FormatRfc3339(*t) : std::string("—");
}

std::string Cut(const std::string& text, size_t n) {
  return text.size() <= n ? text : text.substr(0, n) + "…";
}

std::string StateCell(std::optional<jobs::JobState> state) {
  if (!state) return "<td>—</td>";
  const std::string name(jobs::JobStateName(*state));
  return "<td class=\"state-" + name + "\">" + name + "</td>";
}

}  // namespace

httpd::Response ServeServicePage(ServeContext& ctx, const httpd::Request& request) {
  if (ctx.admin == nullptr || ctx.admin->queue == nullptr) {
    return ErrorResponse(NotFound("this server has no import service"), request.WantsJson());
  }
  jobs::JobAdmin q(*ctx.admin->queue);
  Result<std::vector<jobs::ArchiveStatus>> archives = q.Archives();
  if (!archives.ok()) return ErrorResponse(archives.status(), request.WantsJson());
  Result<std::vector<jobs::FailureGroup>> failures = q.Failures("");
  if (!failures.ok()) return ErrorResponse(failures.status(), request.WantsJson());
  Result<std::vector<jobs::Job>> recent = q.List({.limit = 20});
  if (!recent.ok()) return ErrorResponse(recent.status(), request.WantsJson());
  if (request.WantsJson()) {
    httpd::Response r = httpd::JsonResponse(
        200, json::serialize(json::object{{"archives", jobs::ArchivesJson(*archives)},
                                          {"failures", jobs::FailuresJson(*failures)},
                                          {"recent", jobs::JobsJson(*recent)}}));
    r.Set("Cache-Control", "no-store");
    r.route = "jobs_page";
    return r;
  }
  std::string body = "<h2>Archives</h2>";
  if (archives->empty()) {
    body += "<p>No job has run yet.</p>";
  } else {
    body +=
        "<table><thead><tr><th>Archive</th><th>Last job</th><th>Last success</th>"
        "<th>Next tick</th><th>Last error</th></tr></thead><tbody>";
    for (const jobs::ArchiveStatus& a : *archives) {
      body += "<tr><td>" + HtmlEscape(a.archive) + (a.paused ? " <em>(paused)</em>" : "") +
              "</td>" + StateCell(a.last_state) + "<td>" + When(a.last_success) + "</td><td>" +
              When(a.next_tick) + "</td><td>" + HtmlEscape(Cut(a.last_error, 200)) + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  body += "<h2>Failures</h2>";
  if (failures->empty()) {
    body += "<p>No failed job.</p>";
  } else {
    body +=
        "<table><thead><tr><th class=\"num\">Jobs</th><th>Class</th><th>Archives</th>"
        "<th>Example</th></tr></thead><tbody>";
    for (const jobs::FailureGroup& g : *failures) {
      std::string names;
      for (const std::string& a : g.archives) names += (names.empty() ? "" : ", ") + a;
      body += "<tr><td class=\"num\">" + std::to_string(g.jobs) + "</td><td>" +
              HtmlEscape(g.error_class) + "</td><td>" + HtmlEscape(names) + "</td><td>" +
              HtmlEscape(Cut(g.example, 300)) + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  body +=
      "<h2>Newest jobs</h2><table><thead><tr><th class=\"num\">Job</th><th>Kind</th>"
      "<th>Archive</th><th>State</th><th class=\"num\">Attempt</th><th>Result or error</th>"
      "</tr></thead><tbody>";
  for (const jobs::Job& j : *recent) {
    const std::string& note = j.state == jobs::JobState::kSucceeded || j.error_message.empty()
                                  ? j.result
                                  : j.error_class + ": " + j.error_message;
    body += "<tr><td class=\"num\">" + std::to_string(j.id) + "</td><td>" +
            std::string(jobs::JobKindName(j.kind)) + "</td><td>" + HtmlEscape(j.archive) + "</td>" +
            StateCell(j.state) + "<td class=\"num\">" + std::to_string(j.attempt) + "/" +
            std::to_string(j.max_attempts) + "</td><td>" + HtmlEscape(Cut(note, 200)) +
            "</td></tr>";
  }
  body +=
      "</tbody></table><p class=\"muted\">Operators act through <code>mirrorvault jobs</code> "
      "or the admin API (<code>/admin/</code>, with the admin token).</p>";
  httpd::Response r =
      httpd::HtmlResponse(200, HtmlPage("Import service", {{"Import service", ""}}, body));
  r.Set("Cache-Control", "no-store");
  r.route = "jobs_page";
  return r;
}

}  // namespace mv::server
