// RunId::Parse, ParseTimestampPrefix and RunId::FromTimePoint. Properties: an accepted run id
// prints back to the same text; a full run id means the same thing to ParseTimestampPrefix; a
// prefix's result is a valid run id; any instant FromTimePoint accepts prints to a run id that
// parses back to it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "util/run_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto id = mv::RunId::Parse(text);
  if (id.ok()) {
    MV_FUZZ_CHECK(id->ToString() == text, mv::fuzz::Printable(text) + " -> " + id->ToString());
    auto prefix = mv::ParseTimestampPrefix(text);
    MV_FUZZ_CHECK(prefix.ok() && *prefix == *id, mv::fuzz::Printable(text));
  } else {
    MV_FUZZ_CHECK_ERROR(id.status(), mv::StatusCode::kInvalidArgument);
  }

  auto latest = mv::ParseTimestampPrefix(text);
  if (latest.ok()) {
    auto again = mv::RunId::Parse(latest->ToString());
    MV_FUZZ_CHECK(again.ok() && *again == *latest, latest->ToString());
    // The latest instant covered: the text is a prefix of its run id (less an optional "Z").
    std::string_view body = text;
    if (!body.empty() && body.back() == 'Z') body.remove_suffix(1);
    MV_FUZZ_CHECK(latest->ToString().starts_with(body),
                  mv::fuzz::Printable(text) + " -> " + latest->ToString());
  } else {
    MV_FUZZ_CHECK_ERROR(latest.status(), mv::StatusCode::kInvalidArgument);
  }

  if (size >= sizeof(int64_t)) {
    int64_t ticks = 0;
    std::memcpy(&ticks, data, sizeof(ticks));
    std::chrono::system_clock::time_point t{std::chrono::system_clock::duration(ticks)};
    auto from = mv::RunId::FromTimePoint(t);
    if (from.ok()) {
      auto again = mv::RunId::Parse(from->ToString());
      MV_FUZZ_CHECK(again.ok() && *again == *from, from->ToString());
      MV_FUZZ_CHECK(from->ToTimePoint() <= t && t - from->ToTimePoint() < std::chrono::seconds(1),
                    from->ToString());
    } else {
      MV_FUZZ_CHECK_ERROR(from.status(), mv::StatusCode::kInvalidArgument);
    }
  }
  return 0;
}
