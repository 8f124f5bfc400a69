// ParseRemoval over arbitrary text. Properties: it never crashes and refuses with Corruption
// naming the removal; an accepted one is canonical (EncodeRemoval gives the input back), its
// files sorted and distinct, its id of RemovalId's shape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/removal.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto removal = mv::archive::ParseRemoval(text, "fuzz-removal");
  if (!removal.ok()) {
    MV_FUZZ_CHECK_ERROR(removal.status(), mv::StatusCode::kCorruption);
    MV_FUZZ_CHECK(removal.status().message().find("fuzz-removal") != std::string::npos,
                  removal.status().message());
    return 0;
  }
  MV_FUZZ_CHECK(mv::archive::EncodeRemoval(*removal) == text, mv::fuzz::Printable(text));
  MV_FUZZ_CHECK(mv::archive::ValidateRemovalId(removal->id).ok(), removal->id);
  MV_FUZZ_CHECK(!removal->files.empty() && !removal->reason.empty(), "empty removal accepted");
  for (size_t i = 1; i < removal->files.size(); ++i) {
    MV_FUZZ_CHECK(removal->files[i - 1].sha256 < removal->files[i].sha256, "files out of order");
  }
  return 0;
}
