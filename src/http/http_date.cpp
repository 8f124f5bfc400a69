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
  if (end == nullptr || end != s.c_str() + s.size()) {  // also a NUL and more after the date
    return InvalidArgument("not an HTTP date: \"" + s + "\"");
  }
  // The years std::chrono::system_clock (nanoseconds in 64 bits) holds whole; beyond them
  // from_time_t overflows.
  int year = tm.tm_year + 1900;
  if (year < 1678 || year > 2261) {
    return InvalidArgument("HTTP date \"" + s + "\" has a year outside 1678-2261");
  }
  std::tm fields = tm;
  std::time_t t = timegm(&tm);
  // timegm moves a day or time that does not exist (Feb 30, 23:59:60) to one that does.
  if (tm.tm_mday != fields.tm_mday || tm.tm_mon != fields.tm_mon || tm.tm_hour != fields.tm_hour ||
      tm.tm_min != fields.tm_min || tm.tm_sec != fields.tm_sec) {
    return InvalidArgument("HTTP date \"" + s + "\" names a day or time that does not exist");
  }
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace mv::http
