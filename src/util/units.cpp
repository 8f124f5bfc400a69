#include "util/units.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "util/strings.h"

namespace mv {
namespace {

constexpr std::string_view kSizeHelp =
    "expected a number with an optional unit: B, KB, MB, GB, TB, PB (powers of 1000) or KiB, MiB, "
    "GiB, TiB, PiB (powers of 1024), e.g. \"64MiB\"";

constexpr std::string_view kDurationHelp =
    "expected numbers with units ms, s, m, h, d or w, e.g. \"30s\", \"6h\", \"7d\", \"1h30m\"";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The multiplier of a size unit (already lower-cased), or 0 when unknown.
uint64_t SizeMultiplier(std::string_view unit) {
  if (unit.empty() || unit == "b") return 1;
  static constexpr std::string_view kPrefixes = "kmgtp";
  size_t power = kPrefixes.find(unit[0]);
  if (power == std::string_view::npos) return 0;
  std::string_view rest = unit.substr(1);
  uint64_t base;
  if (rest.empty() || rest == "b") {
    base = 1000;
  } else if (rest == "i" || rest == "ib") {
    base = 1024;
  } else {
    return 0;
  }
  uint64_t m = 1;
  for (size_t i = 0; i <= power; ++i) m *= base;
  return m;
}

struct SizeUnit {
  uint64_t multiplier;
  std::string_view name;
};

constexpr std::array<SizeUnit, 10> kSizeUnits = {{
    {1ULL << 50, "PiB"},
    {1000ULL * 1000 * 1000 * 1000 * 1000, "PB"},
    {1ULL << 40, "TiB"},
    {1000ULL * 1000 * 1000 * 1000, "TB"},
    {1ULL << 30, "GiB"},
    {1000ULL * 1000 * 1000, "GB"},
    {1ULL << 20, "MiB"},
    {1000ULL * 1000, "MB"},
    {1ULL << 10, "KiB"},
    {1000, "KB"},
}};

}  // namespace

Result<uint64_t> ParseSize(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return InvalidArgument("invalid size " + Quote(text) + ": " + std::string(why) + " (" +
                           std::string(kSizeHelp) + ")");
  };
  std::string_view s = Trim(text);
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == 0) return fail("it does not start with a number");
  std::string_view whole = s.substr(0, i);
  std::string_view fraction;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    fraction = s.substr(start, i - start);
    if (fraction.empty()) return fail("a digit must follow the decimal point");
  }
  std::string_view unit_text = s.substr(i);
  if (!unit_text.empty() && unit_text.front() == ' ') unit_text.remove_prefix(1);
  std::string unit;
  for (char c : unit_text) unit += LowerAscii(c);
  uint64_t multiplier = SizeMultiplier(unit);
  if (multiplier == 0) return fail("unknown unit " + Quote(unit_text));

  uint64_t value = 0;
  for (char c : whole) {
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(c - '0'), &value)) {
      return fail("too large");
    }
  }
  if (__builtin_mul_overflow(value, multiplier, &value)) return fail("too large");
  if (!fraction.empty()) {
    if (multiplier == 1) return fail("a byte count must be whole");
    // A fraction of the unit, exact for up to 18 digits (more cannot change whole bytes).
    fraction = fraction.substr(0, 18);
    uint64_t numerator = 0, denominator = 1;
    for (char c : fraction) {
      numerator = numerator * 10 + static_cast<uint64_t>(c - '0');
      denominator *= 10;
    }
    long double extra = static_cast<long double>(numerator) * static_cast<long double>(multiplier) /
                        static_cast<long double>(denominator);
    auto extra_bytes = static_cast<uint64_t>(std::floor(extra));
    if (__builtin_add_overflow(value, extra_bytes, &value)) return fail("too large");
  }
  return value;
}

std::string FormatSize(uint64_t bytes) {
  if (bytes == 0) return "0B";
  const SizeUnit* best = nullptr;
  for (const SizeUnit& u : kSizeUnits) {
    if (bytes % u.multiplier != 0) continue;
    if (best == nullptr || bytes / u.multiplier < bytes / best->multiplier) best = &u;
  }
  if (best == nullptr) return std::to_string(bytes) + "B";
  return std::to_string(bytes / best->multiplier) + std::string(best->name);
}

std::string FormatSizeHuman(uint64_t bytes) {
  static constexpr std::array<std::string_view, 6> kNames = {"KiB", "MiB", "GiB",
                                                             "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  // Switch units before rounding would print "1024.0".
  while (v >= 1023.95 && unit + 1 < kNames.size()) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, kNames[unit].data());
  return buf;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return InvalidArgument("invalid duration " + Quote(text) + ": " + std::string(why) + " (" +
                           std::string(kDurationHelp) + ")");
  };
  std::string_view s = Trim(text);
  if (s.empty()) return fail("it is empty");
  int64_t total_ms = 0;
  while (!s.empty()) {
    size_t i = 0;
    int64_t n = 0;
    while (i < s.size() && IsDigit(s[i])) {
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, s[i] - '0', &n)) {
        return fail("too large");
      }
      ++i;
    }
    if (i == 0) return fail("expected a number at " + Quote(s));
    size_t j = i;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    std::string unit;
    for (char c : s.substr(i, j - i)) unit += LowerAscii(c);
    int64_t ms_per_unit;
    if (unit == "ms") {
      ms_per_unit = 1;
    } else if (unit == "s") {
      ms_per_unit = 1000;
    } else if (unit == "m") {
      ms_per_unit = 60LL * 1000;
    } else if (unit == "h") {
      ms_per_unit = 3600LL * 1000;
    } else if (unit == "d") {
      ms_per_unit = 24LL * 3600 * 1000;
    } else if (unit == "w") {
      ms_per_unit = 7LL * 24 * 3600 * 1000;
    } else if (unit.empty() && i < s.size() && s[i] == '.') {
      return fail("fractions are not supported; use a smaller unit (\"90m\", not \"1.5h\")");
    } else if (unit.empty()) {
      return fail("the number " + Quote(s.substr(0, i)) + " has no unit");
    } else {
      return fail("unknown unit " + Quote(s.substr(i, j - i)));
    }
    if (__builtin_mul_overflow(n, ms_per_unit, &n) ||
        __builtin_add_overflow(total_ms, n, &total_ms)) {
      return fail("too large");
    }
    s = Trim(s.substr(j));
  }
  return std::chrono::milliseconds(total_ms);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  // Work in unsigned so that the most negative value has a magnitude.
  uint64_t left = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out += '-';
  struct Part {
    uint64_t ms;
    const char* name;
  };
  static constexpr std::array<Part, 5> kParts = {
      {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}}};
  for (const Part& p : kParts) {
    if (left >= p.ms) {
      out += std::to_string(left / p.ms);
      out += p.name;
      left %= p.ms;
    }
  }
  return out;
}

}  // namespace mv
