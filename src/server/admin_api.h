// The import service's admin API on `mirrorvault serve` (/admin/...): what `mirrorvault jobs`
// does, for operators without a shell on the box. JSON in the forms of jobs/job_json.h.
//
//   GET  /admin/jobs?state=S&archive=A&kind=K&limit=N    GET  /admin/jobs/ID
//   POST /admin/jobs/ID/retry                            POST /admin/jobs/ID/cancel
//   POST /admin/jobs/retry-failed?archive=A&class=C      GET  /admin/failures?archive=A
//   GET  /admin/archives                                 GET  /admin/audit?limit=N
//   POST /admin/archives/A/run-now?kind=K   POST /admin/archives/A/pause   POST .../resume
//
// Every request needs `Authorization: Bearer TOKEN` with the configured token (compared in
// constant time); without a configured token the whole API is off (404 saying so). A wrong or
// missing token is 401. Actions are written to the queue's audit log, and logged, with who did
// them: the X-Mirrorvault-Operator header when given, and the client's address.
#pragma once

#include <optional>
#include <string>

#include "httpd/http_message.h"
#include "jobs/queue.h"
#include "server/router.h"
#include "util/config_value.h"

namespace mv::server {

struct AdminContext {
  jobs::JobQueue* queue = nullptr;      // none: the admin API is off
  std::string token;                    // empty: the admin API is off
  const ConfigValue* config = nullptr;  // the [[archive]]s, for run-now
};

httpd::Response ServeAdmin(const AdminContext* admin, const httpd::Request& request,
                           const AdminRoute& route);

// For admin actions outside /admin/ (DELETE /redirect/v1/...): nullopt when the request carries
// the admin token, else the refusal to send (404 when the admin API is off, 401 otherwise).
std::optional<httpd::Response> RefuseUnlessAdmin(const AdminContext* admin,
                                                 const httpd::Request& request);
// Who acts, for logs: the X-Mirrorvault-Operator name and the client's address.
std::string AdminWho(const httpd::Request& request);

}  // namespace mv::server
