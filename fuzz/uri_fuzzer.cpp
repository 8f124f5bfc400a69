// ParseUri. Properties (util/uri.h): an accepted URL has a lower-case scheme, a path that is
// empty or starts with "/", no query parameter without a name; and ParseUri(u.ToString()) == u.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "util/uri.h"

namespace {

std::string Show(const mv::Uri& u) {
  std::string out = "scheme=" + mv::fuzz::Printable(u.scheme);
  if (u.user) out += " user=" + mv::fuzz::Printable(*u.user);
  if (u.password) out += " password=" + mv::fuzz::Printable(*u.password);
  out += " host=" + mv::fuzz::Printable(u.host);
  if (u.port) out += " port=" + std::to_string(*u.port);
  out += " path=" + mv::fuzz::Printable(u.path);
  for (const auto& p : u.query) {
    out += " param=" + mv::fuzz::Printable(p.key) + "=" + mv::fuzz::Printable(p.value);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto u = mv::ParseUri(text);
  if (!u.ok()) {
    MV_FUZZ_CHECK_ERROR(u.status(), mv::StatusCode::kInvalidArgument);
    return 0;
  }
  MV_FUZZ_CHECK(!u->scheme.empty(), Show(*u));
  MV_FUZZ_CHECK(u->scheme.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos,
                Show(*u));
  MV_FUZZ_CHECK(u->path.empty() || u->path.front() == '/', Show(*u));
  for (const auto& p : u->query) MV_FUZZ_CHECK(!p.key.empty(), Show(*u));

  std::string again_text = u->ToString();
  auto again = mv::ParseUri(again_text);
  MV_FUZZ_CHECK(again.ok(), mv::fuzz::Printable(text) + " -> " + mv::fuzz::Printable(again_text) +
                                ": " + again.status().ToString());
  MV_FUZZ_CHECK(*again == *u, mv::fuzz::Printable(text) + " -> " + mv::fuzz::Printable(again_text) +
                                  "\n  first:  " + Show(*u) + "\n  second: " + Show(*again));
  MV_FUZZ_CHECK(again->ToString() == again_text, mv::fuzz::Printable(again_text));
  return 0;
}
