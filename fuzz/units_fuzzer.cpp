// ParseSize / FormatSize / FormatSizeHuman and ParseDuration / FormatDuration. Properties
// (util/units.h): ParseSize(FormatSize(n)) == n and ParseDuration(FormatDuration(d)) == d for
// every value a parse accepts and for the raw 64 bits at the start of the input.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "util/units.h"

namespace {

void CheckSize(uint64_t n) {
  std::string text = mv::FormatSize(n);
  auto again = mv::ParseSize(text);
  MV_FUZZ_CHECK(again.ok() && *again == n, std::to_string(n) + " -> " + text);
  (void)mv::FormatSizeHuman(n);
}

void CheckDuration(std::chrono::milliseconds d) {
  std::string text = mv::FormatDuration(d);
  if (d.count() < 0) {
    MV_FUZZ_CHECK(!text.empty() && text.front() == '-', text);
    return;
  }
  auto again = mv::ParseDuration(text);
  MV_FUZZ_CHECK(again.ok() && *again == d, std::to_string(d.count()) + "ms -> " + text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto bytes = mv::ParseSize(text);
  if (bytes.ok()) {
    CheckSize(*bytes);
  } else {
    MV_FUZZ_CHECK_ERROR(bytes.status(), mv::StatusCode::kInvalidArgument);
  }

  auto duration = mv::ParseDuration(text);
  if (duration.ok()) {
    MV_FUZZ_CHECK(duration->count() >= 0, mv::fuzz::Printable(text));
    CheckDuration(*duration);
  } else {
    MV_FUZZ_CHECK_ERROR(duration.status(), mv::StatusCode::kInvalidArgument);
  }

  if (size >= sizeof(uint64_t)) {
    uint64_t raw = 0;
    std::memcpy(&raw, data, sizeof(raw));
    CheckSize(raw);
    CheckDuration(std::chrono::milliseconds(static_cast<int64_t>(raw)));
  }
  return 0;
}
