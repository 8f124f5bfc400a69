// Byte encodings: hex, base64 and little-endian integers.
#pragma once

#include <cstdint>
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
// Text escaped for XML (and HTML) character data and quoted attribute values: & < > " ' as
// entities, CR, LF and tab as character references (attribute values keep them).
std::string XmlEscape(std::string_view text);
// `text` in double quotes, '"' and '\\' escaped, \n \r \t named, and other control bytes as
// \u00xx (kJson, which also names \b and \f: RFC 8259) or \xNN (kLogfmt, which also escapes
// DEL), lower-case hex; every other byte as is.
enum class QuoteStyle { kJson, kLogfmt };
void AppendQuoted(std::string& out, std::string_view text, QuoteStyle style);
// Standard base64 with padding (RFC 4648 section 4).
std::string Base64Encode(std::string_view bytes);
// A 64-bit integer as 8 bytes, least significant first, at `out`; and back from `in`.
void PutLe64(char* out, uint64_t v);
uint64_t GetLe64(const char* in);

}  // namespace mv
