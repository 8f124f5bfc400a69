#include "server/http_message.h"

#include <strings.h>

namespace mv::server {

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

Response TextResponse(int status, std::string text) {
  Response r;
  r.status = status;
  if (text.empty() || text.back() != '\n') text += '\n';
  r.body = std::move(text);
  r.Set("Content-Type", "text/plain; charset=utf-8");
  return r;
}

Response HtmlResponse(int status, std::string html) {
  Response r;
  r.status = status;
  r.body = std::move(html);
  r.Set("Content-Type", "text/html; charset=utf-8");
  return r;
}

Response JsonResponse(int status, std::string json) {
  Response r;
  r.status = status;
  r.body = std::move(json);
  r.Set("Content-Type", "application/json");
  return r;
}

Response RedirectResponse(int status, std::string location) {
  Response r = TextResponse(status, "see " + location);
  r.Set("Location", std::move(location));
  return r;
}

}  // namespace mv::server
