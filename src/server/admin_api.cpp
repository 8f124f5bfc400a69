#include "server/admin_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "jobs/archive_jobs.h"
#include "jobs/job_json.h"
#include "util/log.h"

namespace mv::server {
namespace {

namespace json = boost::json;

httpd::Response Json(int status, const json::value& v) {
  httpd::Response r = httpd::JsonResponse(status, json::serialize(v));
  r.Set("Cache-Control", "no-store");
  r.route = "admin";
  return r;
}

httpd::Response Error(int status, const std::string& message) {
  return Json(status, json::object{{"error", message}});
}

httpd::Response FromStatus(const Status& st) {
  const int code = httpd::HttpStatusOf(st);
  if (code != 500) return Error(code, st.message());
  LogWarn("admin request failed", {{"error", st}});
  return Error(500, "internal error: " + st.message());
}

bool SameToken(std::string_view a, std::string_view b) {
  // Constant time in the length of the presented token: no early exit on the first difference.
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned>(a[i] ^ b[i % std::max<size_t>(b.size(), 1)]);
  return diff == 0 && !b.empty();
}

// Who acts: the operator's name when given (printable ASCII, at most 64 bytes), and from where.
std::string Who(const httpd::Request& request) {
  std::string name;
  for (char c : request.operator_name) {
    if (c >= 0x20 && c < 0x7f && name.size() < 64) name += c;
  }
  return (name.empty() ? std::string("token holder") : name) + " via admin API from " +
         (request.client.empty() ? std::string("?") : request.client);
}

Result<int64_t> ParseId(const std::string& text) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return InvalidArgument("not a job id: " + text.substr(0, 40));
  }
  return id;
}

httpd::Response MethodNotAllowed(const char* allow) {
  httpd::Response r = Error(405, std::string("this admin resource answers ") + allow);
  r.Set("Allow", allow);
  return r;
}

httpd::Response Handle(jobs::JobAdmin& q, const AdminContext& admin, const httpd::Request& request,
                       const AdminRoute& route) {
  const auto& s = route.segments;
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  const std::string who = Who(request);
  auto param = [&](const char* key) { return QueryParam(route.query, key).value_or(""); };
  auto acted = [&](const std::string& action, const std::string& target) {
    LogInfo("admin action", {{"who", who}, {"action", action}, {"target", target}});
  };

  if (s[0] == "jobs" && s.size() == 1) {
    if (!get) return MethodNotAllowed("GET");
    jobs::JobFilter filter{.archive = param("archive"), .limit = 100};
    if (std::string state = param("state"); !state.empty()) {
      Result<jobs::JobState> parsed = jobs::ParseJobState(state);
      if (!parsed.ok()) return FromStatus(parsed.status());
      filter.state = *parsed;
    }
    if (std::string kind = param("kind"); !kind.empty()) {
      Result<jobs::JobKind> parsed = jobs::ParseJobKind(kind);
      if (!parsed.ok()) return FromStatus(parsed.status());
      filter.kind = *parsed;
    }
    if (std::string limit = param("limit"); !limit.empty()) {
      Result<int64_t> n = ParseId(limit);
      if (!n.ok()) return Error(400, "limit must be a positive number");
      filter.limit = static_cast<int>(std::min<int64_t>(*n, 100000));
    }
    Result<std::vector<jobs::Job>> list = q.List(filter);
    return list.ok() ? Json(200, jobs::JobsJson(*list)) : FromStatus(list.status());
  }
  if (s[0] == "jobs" && s.size() == 2 && s[1] == "retry-failed") {
    if (!post) return MethodNotAllowed("POST");
    Result<std::vector<int64_t>> ids = q.RetryFailed(param("archive"), param("class"), who);
    if (!ids.ok()) return FromStatus(ids.status());
    acted("retry-failed", "archive=" + param("archive") + " class=" + param("class"));
    json::array out;
    for (int64_t id : *ids) out.push_back(id);
    return Json(200, json::object{{"retried", out}});
  }
  if (s[0] == "jobs" && (s.size() == 2 || s.size() == 3)) {
    Result<int64_t> id = ParseId(s[1]);
    if (!id.ok()) return FromStatus(id.status());
    if (s.size() == 2) {
      if (!get) return MethodNotAllowed("GET");
      Result<jobs::Job> job = q.Show(*id);
      return job.ok() ? Json(200, jobs::JobJson(*job, true)) : FromStatus(job.status());
    }
    if (!post) return MethodNotAllowed("POST");
    Status st;
    if (s[2] == "retry") {
      st = q.Retry(*id, who);
    } else if (s[2] == "cancel") {
      st = q.Cancel(*id, who);
    } else {
      return Error(404, "no admin action '" + s[2] + "' on jobs (retry, cancel)");
    }
    if (!st.ok()) return FromStatus(st);
    acted(s[2], "job " + std::to_string(*id));
    Result<jobs::Job> job = q.Show(*id);
    return job.ok() ? Json(200, jobs::JobJson(*job, true)) : FromStatus(job.status());
  }
  if (s[0] == "failures" && s.size() == 1) {
    if (!get) return MethodNotAllowed("GET");
    Result<std::vector<jobs::FailureGroup>> groups = q.Failures(param("archive"));
    return groups.ok() ? Json(200, jobs::FailuresJson(*groups)) : FromStatus(groups.status());
  }
  if (s[0] == "archives" && s.size() == 1) {
    if (!get) return MethodNotAllowed("GET");
    Result<std::vector<jobs::ArchiveStatus>> list = q.Archives();
    return list.ok() ? Json(200, jobs::ArchivesJson(*list)) : FromStatus(list.status());
  }
  if (s[0] == "archives" && s.size() == 3) {
    if (!post) return MethodNotAllowed("POST");
    const std::string& archive = s[1];
    Status st;
    json::object out{{"archive", archive}};
    if (s[2] == "pause") {
      st = q.Pause(archive, who);
    } else if (s[2] == "resume") {
      st = q.Resume(archive, who);
    } else if (s[2] == "run-now") {
      std::string kind_text = param("kind");
      Result<jobs::JobKind> kind = jobs::ParseJobKind(kind_text.empty() ? "mirror" : kind_text);
      if (!kind.ok()) return FromStatus(kind.status());
      std::string host;
      if (admin.config != nullptr) {
        Result<jobs::ArchiveJobs> configured = jobs::FindArchiveJobs(*admin.config, archive);
        if (!configured.ok()) return FromStatus(configured.status());
        host = configured->host;
      }
      Result<int64_t> id = q.RunNow(archive, *kind, "{}", host, who);
      if (!id.ok()) return FromStatus(id.status());
      out["job"] = *id;
    } else {
      return Error(404, "no admin action '" + s[2] + "' on archives (run-now, pause, resume)");
    }
    if (!st.ok()) return FromStatus(st);
    acted(s[2], archive);
    return Json(200, out);
  }
  if (s[0] == "audit" && s.size() == 1) {
    if (!get) return MethodNotAllowed("GET");
    int limit = 100;
    if (std::string text = param("limit"); !text.empty()) {
      Result<int64_t> n = ParseId(text);
      if (!n.ok()) return Error(400, "limit must be a positive number");
      limit = static_cast<int>(std::min<int64_t>(*n, 10000));
    }
    auto entries = q.Audit(limit);
    if (!entries.ok()) return FromStatus(entries.status());
    json::array out;
    for (const auto& [at, by, action, target, detail] : *entries) {
      out.push_back(json::object{
          {"at",
           json::value(
               std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count())},
          {"who", by},
          {"action", action},
          {"target", target},
          {"detail", detail}});
    }
    return Json(200, out);
  }
  return Error(404, "no admin resource /admin/" + s[0] + " (jobs, failures, archives, audit)");
}

}  // namespace

std::optional<httpd::Response> RefuseUnlessAdmin(const AdminContext* admin,
                                                 const httpd::Request& request) {
  if (admin == nullptr || admin->token.empty()) {
    return Error(404,
                 "the admin API is off: no admin token is configured "
                 "([server] admin_token_env names the variable that holds it)");
  }
  constexpr std::string_view kBearer = "Bearer ";
  const std::string& auth = request.authorization;
  if (!auth.starts_with(kBearer) ||
      !SameToken(std::string_view(auth).substr(kBearer.size()), admin->token)) {
    LogWarn("admin request refused",
            {{"client", request.client}, {"target", request.target.substr(0, 200)}});
    httpd::Response r = Error(401, auth.empty() ? "the admin API needs Authorization: Bearer TOKEN"
                                                : "the admin token is wrong");
    r.Set("WWW-Authenticate", "Bearer realm=\"mirrorvault admin\"");
    return r;
  }
  return std::nullopt;
}

std::string AdminWho(const httpd::Request& request) { return Who(request); }

httpd::Response ServeAdmin(const AdminContext* admin, const httpd::Request& request,
                           const AdminRoute& route) {
  if (std::optional<httpd::Response> refusal = RefuseUnlessAdmin(admin, request)) return *refusal;
  if (admin->queue == nullptr) return Error(404, "this server has no job queue");
  jobs::JobAdmin jobs_admin(*admin->queue);
  return Handle(jobs_admin, *admin, request, route);
}

}  // namespace mv::server
