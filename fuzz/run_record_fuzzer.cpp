// ParseRunRecord over arbitrary text. Properties: it never crashes and refuses with Corruption
// naming the record; an accepted record is canonical (EncodeRunRecord gives the input back) and
// its encoding parses back to an equal record.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/run_record.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = mv::archive::ParseRunRecord(text, "fuzz-record");
  if (!record.ok()) {
    MV_FUZZ_CHECK_ERROR(record.status(), mv::StatusCode::kCorruption);
    MV_FUZZ_CHECK(record.status().message().find("fuzz-record") != std::string::npos,
                  record.status().message());
    return 0;
  }
  std::string encoded = mv::archive::EncodeRunRecord(*record);
  MV_FUZZ_CHECK(encoded == text, mv::fuzz::Printable(encoded));
  auto again = mv::archive::ParseRunRecord(encoded, "fuzz-record");
  MV_FUZZ_CHECK(again.ok(), again.status().ToString());
  MV_FUZZ_CHECK(*again == *record, mv::fuzz::Printable(encoded));
  return 0;
}
