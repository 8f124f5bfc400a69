// RedactUrl and RedactSecrets ("secrets never appear in logs, messages or printed URLs").
// The first input byte picks the mode:
//   even: the rest is text. Neither function may crash; when RedactUrl's result parses as a URL,
//         its password and the values of its secret parameters are REDACTED (or empty).
//   odd:  the rest builds a Uri whose password and secret parameter values hold a marker, and
//         nothing else does. RedactUrl(u.ToString()) and RedactSecrets of a message quoting it
//         must not contain the marker.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "util/redact.h"
#include "util/uri.h"

namespace {

constexpr std::string_view kMarker = "Qz7SeKrEt7zQ";

bool HasMarker(std::string_view s) { return s.find(kMarker) != std::string_view::npos; }

void CheckText(std::string_view text) {
  std::string redacted = mv::RedactUrl(text);
  (void)mv::RedactSecrets(text);
  auto parsed = mv::ParseUri(redacted);
  if (!parsed.ok()) return;
  if (parsed->password) {
    MV_FUZZ_CHECK(*parsed->password == mv::kRedacted || parsed->password->empty(),
                  mv::fuzz::Printable(text) + " -> " + mv::fuzz::Printable(redacted));
  }
  for (const auto& p : parsed->query) {
    if (!mv::IsSecretName(p.key)) continue;
    MV_FUZZ_CHECK(p.value == mv::kRedacted || p.value.empty(),
                  mv::fuzz::Printable(text) + " -> " + mv::fuzz::Printable(redacted));
  }
}

std::string Secret(FuzzedDataProvider& fdp) {
  std::string before = fdp.ConsumeRandomLengthString(8);
  std::string after = fdp.ConsumeRandomLengthString(8);
  return before + std::string(kMarker) + after;
}

void CheckBuilt(FuzzedDataProvider& fdp) {
  static constexpr const char* kSchemes[] = {"s3", "file", "https", "postgresql", "redis"};
  mv::Uri u;
  u.scheme = fdp.PickValueInArray(kSchemes);
  if (fdp.ConsumeBool()) {
    u.user = fdp.ConsumeRandomLengthString(16);
    if (HasMarker(*u.user)) return;
    if (fdp.ConsumeBool()) u.password = Secret(fdp);
  }
  u.host = fdp.ConsumeRandomLengthString(32);
  if (fdp.ConsumeBool()) u.port = fdp.ConsumeIntegral<uint16_t>();
  if (fdp.ConsumeBool()) u.path = "/" + fdp.ConsumeRandomLengthString(32);
  if (HasMarker(u.host) || HasMarker(u.path)) return;
  size_t params = fdp.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < params; ++i) {
    mv::UriParam p;
    p.key = fdp.ConsumeRandomLengthString(16);
    p.value = mv::IsSecretName(p.key) ? Secret(fdp) : fdp.ConsumeRandomLengthString(16);
    if (HasMarker(p.key) || (!mv::IsSecretName(p.key) && HasMarker(p.value))) return;
    u.query.push_back(std::move(p));
  }
  std::string prefix = fdp.ConsumeRandomLengthString(16);
  std::string suffix = fdp.ConsumeRemainingBytesAsString();
  if (HasMarker(prefix) || HasMarker(suffix)) return;

  std::string url = u.ToString();
  std::string redacted = mv::RedactUrl(url);
  MV_FUZZ_CHECK(!HasMarker(redacted),
                mv::fuzz::Printable(url) + " -> " + mv::fuzz::Printable(redacted));
  std::string message = prefix + " " + url + " " + suffix;
  std::string redacted_message = mv::RedactSecrets(message);
  MV_FUZZ_CHECK(!HasMarker(redacted_message),
                mv::fuzz::Printable(message) + " -> " + mv::fuzz::Printable(redacted_message));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    CheckText(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  } else {
    FuzzedDataProvider fdp(data + 1, size - 1);
    CheckBuilt(fdp);
  }
  return 0;
}
