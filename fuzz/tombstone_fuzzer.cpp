// ParseTombstone over arbitrary text. Properties: it never crashes and refuses with Corruption
// naming the tombstone; an accepted one is canonical (EncodeTombstone gives the input back) and
// its encoding parses back to an equal tombstone.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/tombstone.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tombstone = mv::archive::ParseTombstone(text, "fuzz-tombstone");
  if (!tombstone.ok()) {
    MV_FUZZ_CHECK_ERROR(tombstone.status(), mv::StatusCode::kCorruption);
    MV_FUZZ_CHECK(tombstone.status().message().find("fuzz-tombstone") != std::string::npos,
                  tombstone.status().message());
    return 0;
  }
  std::string encoded = mv::archive::EncodeTombstone(*tombstone);
  MV_FUZZ_CHECK(encoded == text, mv::fuzz::Printable(encoded));
  auto again = mv::archive::ParseTombstone(encoded, "fuzz-tombstone");
  MV_FUZZ_CHECK(again.ok(), again.status().ToString());
  MV_FUZZ_CHECK(*again == *tombstone, mv::fuzz::Printable(encoded));
  return 0;
}
