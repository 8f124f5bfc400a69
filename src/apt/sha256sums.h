// A SHA256SUMS file as Debian's installer images folders carry it (`sha256sum` output: one
// "<64 hex>  <path>" line per file, "./" before each path; a '*' instead of the second space marks
// binary mode). The folder's SHA256SUMS is itself listed, by hash, in the suite's Release.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::apt {

struct Sha256SumsEntry {
  std::string sha256;  // 64 lower-case hex digits
  std::string path;    // relative to the SHA256SUMS's folder, without "./"; a safe relative path
};

// The entries, in file order. InvalidArgument naming `where` and the line for a line that is not
// "<hash>  <path>", a hash that is not 64 hex digits, a path that leaves the folder (absolute,
// "..", empty segments), or a path listed twice. Blank lines are skipped.
Result<std::vector<Sha256SumsEntry>> ParseSha256Sums(std::string_view text, std::string_view where);

}  // namespace mv::apt
