// ValidateKey against the key rules of store/object_store.h, checked independently here:
// 1..1024 bytes, no NUL or other control byte, not starting with '/', no empty, "." or ".."
// segment (a trailing '/' is allowed), well-formed UTF-8 (decoded here code point by code point).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "store/object_store.h"

namespace {

// Decodes each code point and rejects overlong forms, surrogates and values above U+10FFFF.
bool DecodesAsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + static_cast<size_t>(len) > s.size()) return false;
    uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((c >> 6) != 0x2) return false;
      cp = cp << 6 | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

bool FollowsRules(std::string_view key) {
  if (!DecodesAsUtf8(key)) return false;
  if (key.empty() || key.size() > 1024 || key.front() == '/') return false;
  for (unsigned char c : key) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  std::string_view rest = key;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) break;
    if (segment.empty()) return false;
    rest.remove_prefix(slash + 1);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view key(reinterpret_cast<const char*>(data), size);
  mv::Status st = mv::store::ValidateKey(key);
  MV_FUZZ_CHECK_ERROR(st, mv::StatusCode::kInvalidArgument);
  MV_FUZZ_CHECK(st.ok() == FollowsRules(key), mv::fuzz::Printable(key) + ": " + st.ToString());
  return 0;
}
