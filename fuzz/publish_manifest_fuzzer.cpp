// The publish manifest a target holds (publish/manifest.h), over arbitrary bytes: nothing
// crashes; what decodes encodes and decodes back to the same manifest; every refusal is
// Corruption with a reason.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "publish/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mv::Result<mv::publish::Manifest> m = mv::publish::DecodeManifest(text, "fuzz");
  if (!m.ok()) {
    MV_FUZZ_CHECK(m.status().code() == mv::StatusCode::kCorruption, m.status().ToString());
    MV_FUZZ_CHECK(!m.status().message().empty(), "a refusal without a reason");
    return 0;
  }
  mv::Result<mv::publish::Manifest> again =
      mv::publish::DecodeManifest(mv::publish::EncodeManifest(*m), "round trip");
  MV_FUZZ_CHECK(again.ok() && *again == *m, "the manifest does not survive a round trip");
  return 0;
}
