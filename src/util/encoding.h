// Byte encodings: hex and base64.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace mv {

// Lower-case hex of raw bytes, and back (InvalidArgument on odd length or a non-hex digit).
std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view hex);
// True for exactly 64 lower-case hex digits.
bool IsSha256Hex(std::string_view s);
// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view text);
// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);

}  // namespace mv
