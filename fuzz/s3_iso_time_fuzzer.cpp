// ParseIsoTime (S3's LastModified). Property: a time it accepts, written back as S3 writes it
// (YYYY-MM-DDTHH:MM:SS.000Z), parses to the same instant.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = mv::s3::ParseIsoTime(text);
  if (!t.ok()) {
    MV_FUZZ_CHECK_ERROR(t.status(), mv::StatusCode::kInvalidArgument);
    return 0;
  }
  std::time_t tt = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  MV_FUZZ_CHECK(gmtime_r(&tt, &tm) != nullptr, mv::fuzz::Printable(text));
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  std::string again_text(buf, n);
  auto again = mv::s3::ParseIsoTime(again_text);
  MV_FUZZ_CHECK(again.ok(),
                mv::fuzz::Printable(text) + " -> " + again_text + ": " + again.status().ToString());
  MV_FUZZ_CHECK(*again == *t, mv::fuzz::Printable(text) + " -> " + again_text);
  return 0;
}
