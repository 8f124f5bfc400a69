// PercentDecode and PercentEncode. Properties: decoding what PercentEncode wrote gives the bytes
// back, whatever `keep` says (the first input byte picks `keep`); PercentEncode writes only
// unreserved characters, kept ones and %XX; a text that decodes re-encodes and decodes to the
// same bytes.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "util/uri.h"

namespace {

constexpr std::string_view kKeeps[] = {"", "/", "/:@", "+&=", "%", "%/"};

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view keep = kKeeps[data[0] % std::size(kKeeps)];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string encoded = mv::PercentEncode(text, keep);
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '%' && i + 2 < encoded.size() && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2])) {
      i += 2;
      continue;
    }
    MV_FUZZ_CHECK(IsUnreserved(c) || keep.find(c) != std::string_view::npos,
                  mv::fuzz::Printable(encoded));
  }
  // A kept "%" makes the encoding ambiguous: only without it must decoding invert it.
  if (keep.find('%') == std::string_view::npos) {
    auto decoded = mv::PercentDecode(encoded);
    MV_FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
    MV_FUZZ_CHECK(*decoded == text, mv::fuzz::Printable(encoded));
  }

  auto decoded = mv::PercentDecode(text);
  if (!decoded.ok()) {
    MV_FUZZ_CHECK_ERROR(decoded.status(), mv::StatusCode::kInvalidArgument);
    return 0;
  }
  MV_FUZZ_CHECK(decoded->size() <= text.size(), mv::fuzz::Printable(text));
  auto again = mv::PercentDecode(mv::PercentEncode(*decoded));
  MV_FUZZ_CHECK(again.ok() && *again == *decoded, mv::fuzz::Printable(text));
  return 0;
}
