// A suite's Release file (the signed text of InRelease, or Release): what the suite holds and
// the size and SHA-256 of every index file it names. Only SHA-256 is trusted, as apt does since
// MD5 and SHA-1 were dropped: a Release without a SHA256 list is refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

struct ReleaseEntry {
  uint64_t size = 0;
  std::string sha256;  // 64 lower-case hex digits
};

struct Release {
  std::string origin, label, suite, codename, version, date, valid_until;
  std::vector<std::string> architectures;
  std::vector<std::string> components;
  bool acquire_by_hash = false;
  // Every file of the SHA256 list, by its path relative to dists/<suite>/.
  std::map<std::string, ReleaseEntry> files;
};

// Parses the text of a Release file. InvalidArgument naming `where` and the line for: not
// exactly one paragraph, no SHA256 list, a malformed list line (hash, size, path), a hash that
// is not 64 hex digits, a size that is not a number, a path that is absolute or climbs ("..")
// or is given twice with different sizes or hashes.
Result<Release> ParseRelease(std::string_view text, std::string_view where);

// A Release's Date or Valid-Until ("Sat, 10 Jun 2023 08:52:27 UTC", "... +0000", "... GMT",
// "... -0130"), as a point in time. InvalidArgument naming the text otherwise.
Result<std::chrono::system_clock::time_point> ParseReleaseDate(std::string_view text);

// A path relative to dists/<suite>/ that stays inside it: not empty, not absolute, no "." or
// ".." segment, no empty segment, no NUL or newline.
bool IsSafeRelativePath(std::string_view path);

}  // namespace mv::apt
