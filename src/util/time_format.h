// Timestamps as text for records and messages: RFC 3339 in UTC to the second,
// "2026-11-22T10:15:00Z"; and as the Unix milliseconds that catalogs and Redis store.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mv {

std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// Unix time in milliseconds, and back.
int64_t ToUnixMs(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point FromUnixMs(int64_t ms);

}  // namespace mv
