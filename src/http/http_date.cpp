#include "http/http_date.h"

#include <ctime>

namespace mv::http {

std::string FormatHttpDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

Result<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') {
    return InvalidArgument("not an HTTP date: \"" + s + "\"");
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace mv::http
