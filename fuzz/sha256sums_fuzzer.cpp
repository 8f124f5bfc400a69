// The SHA256SUMS parser (installer images) over arbitrary text.
// Properties: nothing crashes; a refusal is InvalidArgument naming the source; every accepted
// entry has a 64-digit lower-case hash and a path that stays in the folder, each path once.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "apt/release.h"
#include "apt/sha256sums.h"
#include "fuzz_check.h"

namespace {
constexpr std::string_view kWhere = "fuzz-sums";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sums = mv::apt::ParseSha256Sums(text, kWhere);
  if (!sums.ok()) {
    MV_FUZZ_CHECK_ERROR(sums.status(), mv::StatusCode::kInvalidArgument);
    MV_FUZZ_CHECK(sums.status().message().find(kWhere) != std::string::npos,
                  sums.status().message());
    return 0;
  }
  std::set<std::string> paths;
  for (const mv::apt::Sha256SumsEntry& e : *sums) {
    MV_FUZZ_CHECK(e.sha256.size() == 64, e.sha256);
    MV_FUZZ_CHECK(e.sha256.find_first_not_of("0123456789abcdef") == std::string::npos, e.sha256);
    MV_FUZZ_CHECK(mv::apt::IsSafeRelativePath(e.path), e.path);
    MV_FUZZ_CHECK(paths.insert(e.path).second, e.path);
  }
  return 0;
}
