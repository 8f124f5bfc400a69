// ParseByteRange ("A-B", "A-", "-N"). The first input byte says whether an object size is known;
// if so the next 8 bytes are it. Properties: an accepted range has last >= first; a suffix range
// ends at the last byte of a non-empty object; the range written back as "first-last" parses to
// itself.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/object_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::optional<uint64_t> object_size;
  size_t skip = 1;
  if (data[0] & 1) {
    if (size < 9) return 0;
    uint64_t n = 0;
    std::memcpy(&n, data + 1, sizeof(n));
    // Mostly small sizes, where ranges meet the end of the object.
    object_size = (data[0] & 2) ? n : n % 4096;
    skip = 9;
  }
  std::string_view spec(reinterpret_cast<const char*>(data + skip), size - skip);
  auto r = mv::store::ParseByteRange(spec, object_size);
  if (!r.ok()) {
    MV_FUZZ_CHECK_ERROR(r.status(), mv::StatusCode::kInvalidArgument);
    return 0;
  }
  std::string shown = std::to_string(r->first) + "-" + (r->last ? std::to_string(*r->last) : "");
  MV_FUZZ_CHECK(!r->last || *r->last >= r->first, mv::fuzz::Printable(spec) + " -> " + shown);
  if (!spec.empty() && spec.front() == '-' && object_size && *object_size > 0) {
    MV_FUZZ_CHECK(r->last && *r->last == *object_size - 1 && r->first < *object_size,
                  mv::fuzz::Printable(spec) + " -> " + shown);
  }
  auto again = mv::store::ParseByteRange(shown, object_size);
  MV_FUZZ_CHECK(again.ok() && again->first == r->first && again->last == r->last,
                mv::fuzz::Printable(spec) + " -> " + shown);
  return 0;
}
