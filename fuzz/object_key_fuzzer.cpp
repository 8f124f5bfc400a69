// ValidateKey against the key rules of store/object_store.h, checked independently here:
// 1..1024 bytes, no NUL or other control byte, not starting with '/', no empty, "." or ".."
// segment (a trailing '/' is allowed).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "store/object_store.h"

namespace {

bool FollowsRules(std::string_view key) {
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
