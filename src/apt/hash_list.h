// The checksum lists of Debian's indexes: the SHA256 field of Release and the Checksums-Sha256
// field of Sources, one " hash size name" line each after the field's (empty) first line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apt/deb822.h"
#include "util/status.h"

namespace mv::apt {

struct HashListEntry {
  std::string sha256;  // 64 lower-case hex digits
  uint64_t size = 0;
  std::string name;
  size_t line = 0;  // 1-based line in the source
};

// Every entry of `field`. InvalidArgument naming `where` and the line for a line that is not
// "hash size name", a hash that is not 64 hex digits or a size that is not a number.
Result<std::vector<HashListEntry>> ParseHashList(const Field& field, std::string_view where);

// 64 hex digits, lower-cased; nullopt otherwise.
std::optional<std::string> ParseSha256Hex(std::string_view text);

// A decimal size with no sign, blank or excess digits; nullopt otherwise.
std::optional<uint64_t> ParseSize(std::string_view text);

}  // namespace mv::apt
