// xz, gzip and bzip2 decoding of arbitrary bytes (an upstream's index files before they are
// verified). Properties: nothing crashes; output stays within the bound; every refusal is
// Corruption or InvalidArgument naming the source.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "util/decompress.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr size_t kBound = 1 << 20;
  for (mv::Compression c :
       {mv::Compression::kXz, mv::Compression::kGzip, mv::Compression::kBzip2}) {
    mv::Result<std::string> out = mv::Decompress(bytes, c, "fuzz-index", kBound);
    if (out.ok()) {
      MV_FUZZ_CHECK(out->size() <= kBound, "output beyond the bound");
      continue;
    }
    MV_FUZZ_CHECK_ERROR(out.status(), mv::StatusCode::kCorruption,
                        mv::StatusCode::kInvalidArgument);
    MV_FUZZ_CHECK(out.status().message().find("fuzz-index") != std::string::npos,
                  out.status().message());
  }
  return 0;
}
