// One request in, one response out: the method check, the route table (server/router.h), and the
// handler of each route. No sockets: the HTTP server (httpd/http_server.h) calls Handle for
// every request, and the handler tests call it directly.
#pragma once

#include "httpd/http_message.h"
#include "server/metrics.h"
#include "server/serve_context.h"

namespace mv::server {

class Handler {
 public:
  Handler(ServeContext context, ServerMetrics* metrics) : context_(context), metrics_(metrics) {
    if (context_.rendered_listings == nullptr) context_.rendered_listings = &rendered_listings_;
    if (context_.file_identities == nullptr) context_.file_identities = &file_identities_;
    if (context_.removed == nullptr) context_.removed = &removed_;
  }

  // Thread-safe. Never throws; a failure inside a handler is a 500 with its reason logged.
  httpd::Response Handle(const httpd::Request& request);

 private:
  httpd::Response Dispatch(const httpd::Request& request);
  std::string RenderMetrics();
  ServeContext context_;
  ServerMetrics* metrics_;
  LruCache<std::string> rendered_listings_{64 << 20};         // bytes
  LruCache<archive::FileIdentity> file_identities_{100'000};  // entries
  RemovedContent removed_{context_.catalog, context_.clock};
};

}  // namespace mv::server
