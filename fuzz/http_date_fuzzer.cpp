// ParseHttpDate (IMF-fixdate, e.g. Last-Modified). Property: an accepted date, written back with
// FormatHttpDate, parses to the same instant.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/http_date.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = mv::http::ParseHttpDate(text);
  if (!t.ok()) {
    MV_FUZZ_CHECK_ERROR(t.status(), mv::StatusCode::kInvalidArgument);
    return 0;
  }
  std::string again_text = mv::http::FormatHttpDate(*t);
  auto again = mv::http::ParseHttpDate(again_text);
  MV_FUZZ_CHECK(again.ok(),
                mv::fuzz::Printable(text) + " -> " + again_text + ": " + again.status().ToString());
  MV_FUZZ_CHECK(*again == *t, mv::fuzz::Printable(text) + " -> " + again_text);
  return 0;
}
