#include "httpd/http_message.h"

#include <strings.h>

namespace mv::httpd {

bool Request::WantsJson() const {
  size_t json = accept.find("application/json");
  if (json == std::string::npos) return false;
  size_t html = accept.find("text/html");
  return html == std::string::npos || json < html;
}

const std::string* Response::Find(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return &value;
    }
  }
  return nullptr;
}

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kAlreadyExists:
    case StatusCode::kPreconditionFailed:
      return 409;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {

Response WithBody(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.Set("Content-Type", std::move(content_type));
  return r;
}

}  // namespace

Response TextResponse(int status, std::string text) {
  if (text.empty() || text.back() != '\n') text += '\n';
  return WithBody(status, std::move(text), "text/plain; charset=utf-8");
}

Response HtmlResponse(int status, std::string html) {
  return WithBody(status, std::move(html), "text/html; charset=utf-8");
}

Response JsonResponse(int status, std::string json) {
  return WithBody(status, std::move(json), "application/json");
}

Response RedirectResponse(int status, std::string location) {
  Response r = TextResponse(status, "see " + location);
  r.Set("Location", std::move(location));
  return r;
}

}  // namespace mv::httpd
