// The server's route table over arbitrary request targets. Properties: nothing crashes; a
// refusal has a status of 400, 404 or 414 and a reason; an archive path never holds a "." or
// ".." segment, an empty segment, a backslash or a control byte.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "server/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  auto got = mv::server::MatchRoute(target);
  if (auto* err = std::get_if<mv::server::RouteError>(&got)) {
    MV_FUZZ_CHECK(err->status == 400 || err->status == 404 || err->status == 414,
                  std::to_string(err->status));
    MV_FUZZ_CHECK(!err->reason.empty(), "a refusal without a reason");
    return 0;
  }
  const auto& route = std::get<mv::server::Route>(got);
  if (const auto* a = std::get_if<mv::server::ArchiveRoute>(&route)) {
    const std::string p = "/" + a->path + "/";
    MV_FUZZ_CHECK(p.find("/../") == std::string::npos && p.find("/./") == std::string::npos,
                  a->path);
    MV_FUZZ_CHECK(a->path.empty() || p.find("//") == std::string::npos, a->path);
    for (unsigned char c : a->path) {
      MV_FUZZ_CHECK(c != '\\' && c >= 0x20 && c != 0x7f, a->path);
    }
  }
  if (const auto* redirect = std::get_if<mv::server::RedirectRoute>(&route)) {
    using Kind = mv::server::RedirectRoute::Kind;
    if (redirect->kind == Kind::kArchive) {
      const std::string p = "/" + redirect->archive.path + "/";
      MV_FUZZ_CHECK(p.find("/../") == std::string::npos && p.find("/./") == std::string::npos,
                    redirect->archive.path);
    }
    // A url route always names its origin (refused before routing otherwise).
    MV_FUZZ_CHECK(redirect->kind != Kind::kUrl || !redirect->url.empty(), "a url route without u=");
  }
  if (const auto* admin = std::get_if<mv::server::AdminRoute>(&route)) {
    // The admin API's segments are decoded like every path: no traversal, no separators.
    MV_FUZZ_CHECK(!admin->segments.empty(), "an admin route without a resource");
    for (const std::string& seg : admin->segments) {
      MV_FUZZ_CHECK(seg != "." && seg != ".." && seg.find('/') == std::string::npos, seg);
      for (unsigned char c : seg) MV_FUZZ_CHECK(c >= 0x20 && c != 0x7f, seg);
    }
  }
  return 0;
}
