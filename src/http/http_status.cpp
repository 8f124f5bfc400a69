#include <string>

#include "http/http_client.h"
#include "util/strings.h"

namespace mv::http {

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPut:
      return "PUT";
    case Method::kPost:
      return "POST";
    case Method::kDelete:
      return "DELETE";
  }
  return "GET";
}

namespace {
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}
}  // namespace

std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Status StatusFromHttp(int status, std::string_view what, std::string_view detail) {
  std::string message(what);
  message += ": HTTP " + std::to_string(status);
  if (!detail.empty()) {
    message += " ";
    message += detail;
  }
  if (status == 404) return NotFound(std::move(message));
  if (status == 409 || status == 412) return PreconditionFailed(std::move(message));
  if (status == 401 || status == 403) return PermissionDenied(std::move(message));
  if (status == 408 || status == 429 || status >= 500) return Unavailable(std::move(message));
  if (status == 416) return InvalidArgument(std::move(message));
  if (status >= 400) return InvalidArgument(std::move(message));
  return Internal(message + " (unexpected status)");
}

}  // namespace mv::http
