// Timestamps as text for records and messages: RFC 3339 in UTC to the second,
// "2026-11-22T10:15:00Z".
#pragma once

#include <chrono>
#include <string>

namespace mv {

std::string FormatRfc3339(std::chrono::system_clock::time_point t);

}  // namespace mv
