// Sizes and durations as people write them in configuration and flags ("64MiB", "500GB", "6h",
// "1h30m"), and back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv {

// Parses a byte count: a number and an optional unit, case-insensitive, optionally separated by
// one space. B = 1; K/KB, M/MB, G/GB, T/TB, P/PB are powers of 1000; Ki/KiB, Mi/MiB, Gi/GiB,
// Ti/TiB, Pi/PiB are powers of 1024. A fraction is allowed with a unit ("1.5GiB"; rounded down
// to whole bytes). InvalidArgument (naming the text) on anything else or on overflow of 64 bits.
Result<uint64_t> ParseSize(std::string_view text);

// The exact form with the largest unit that divides `bytes` ("64MiB", "500GB", "12345B", "0B");
// ParseSize(FormatSize(n)) == n.
std::string FormatSize(uint64_t bytes);

// A rounded form for people, binary units, one decimal: "999 B", "1.5 KiB", "12.3 MiB".
std::string FormatSizeHuman(uint64_t bytes);

// Parses a duration: one or more <integer><unit> groups, optionally separated by spaces, with
// units ms, s, m, h, d (24h), w (7d): "30s", "6h", "7d", "1h30m", "500ms". A bare number has no
// unit and is rejected. InvalidArgument (naming the text) on anything else or on overflow.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The canonical form: "1d2h3m4s5ms", "6h", "0s"; negative durations get a leading "-".
// ParseDuration(FormatDuration(d)) == d for d >= 0.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace mv
