// RunId: the name of one import run, its UTC start time to the second in the basic ISO 8601 form
// snapshot.debian.org uses, "YYYYMMDDTHHMMSSZ" (e.g. 20240229T153000Z). Run ids sort as text in
// the same order as in time, which is what store listings rely on.
//
// Values; thread-safe to copy.
#pragma once

#include <chrono>
#include <compare>
#include <iosfwd>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv {

class RunId {
 public:
  static constexpr size_t kLength = 16;  // "YYYYMMDDTHHMMSSZ"

  // 1970-01-01T00:00:00Z.
  RunId() = default;

  // Parses exactly "YYYYMMDDTHHMMSSZ" (upper-case T and Z, UTC). InvalidArgument naming the text
  // and what was wrong: the length, a non-digit, a year outside 1970-2261 (what
  // std::chrono::system_clock holds), a month outside 01-12, a day the month does not have
  // (Feb 29 outside leap years), hour > 23, minute or second > 59 (leap second 60 is rejected).
  static Result<RunId> Parse(std::string_view text);

  // The run id of instant `t`, truncated to the second. InvalidArgument outside years 1970-2261.
  static Result<RunId> FromTimePoint(std::chrono::system_clock::time_point t);

  std::string ToString() const;
  std::chrono::sys_seconds ToTimePoint() const { return time_; }

  friend auto operator<=>(const RunId&, const RunId&) = default;
  friend bool operator==(const RunId&, const RunId&) = default;
  friend std::ostream& operator<<(std::ostream& os, const RunId& id);

 private:
  explicit RunId(std::chrono::sys_seconds t) : time_(t) {}
  std::chrono::sys_seconds time_{};
};

// Parses a timestamp that may be cut short for lookups ("debian@20240229": the state of the
// archive as of that day) and returns the latest instant it covers:
//   YYYY -> YYYY1231T235959Z          YYYYMMDDTHH     -> YYYYMMDDTHH5959Z
//   YYYYMM -> last day of the month   YYYYMMDDTHHMM   -> YYYYMMDDTHHMM59Z
//   YYYYMMDD -> YYYYMMDDT235959Z      YYYYMMDDTHHMMSS -> itself
// A trailing "Z" is allowed on every form; a full run id parses to itself. The run to show is
// then the latest one at or before the result. InvalidArgument as for RunId::Parse.
Result<RunId> ParseTimestampPrefix(std::string_view text);

}  // namespace mv
