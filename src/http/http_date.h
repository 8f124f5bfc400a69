// HTTP dates (RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv::http {

std::string FormatHttpDate(std::chrono::system_clock::time_point t);
// Accepts IMF-fixdate; InvalidArgument naming the text otherwise, also for a day or time that does
// not exist and a year outside 1678-2261 (what std::chrono::system_clock holds).
Result<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text);

}  // namespace mv::http
