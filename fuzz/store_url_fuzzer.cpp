// OpenStore and OpenStoreLocation on store URLs, through the s3:// URL -> S3 options path
// (bucket, prefix, endpoint, region, addressing) and memory://. file:// URLs are skipped: they
// create folders. Nothing goes over the network: the HTTP transport is a stub that fails, and
// building an S3 store sends no request. Properties: errors are InvalidArgument with a message;
// when the URL has a password, the same URL with a marker for the password (written by
// Uri::ToString) yields no message or Describe() that holds the marker.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/http_client.h"
#include "store/open_store.h"
#include "util/uri.h"

namespace {

constexpr std::string_view kMarker = "Qz7SeKrEt7zQ";

class NoNetwork final : public mv::http::HttpClient {
 public:
  mv::Result<mv::http::Response> Send(const mv::http::Request&) override {
    return mv::Unavailable("no network in the fuzzer");
  }
};

const mv::store::StoreContext& Context() {
  static const mv::store::StoreContext context{.http = std::make_shared<NoNetwork>()};
  return context;
}

bool HasMarker(std::string_view s) { return s.find(kMarker) != std::string_view::npos; }

// Opens `url` both ways; returns what each said (Describe() or the error), for the caller to
// check for secrets.
std::string Open(std::string_view url, const mv::Uri& uri) {
  std::string said;
  auto store = mv::store::OpenStore(url, Context());
  if (store.ok()) {
    said += (*store)->Describe();
  } else {
    MV_FUZZ_CHECK_ERROR(store.status(), mv::StatusCode::kInvalidArgument);
    said += store.status().message();
  }
  auto location = mv::store::OpenStoreLocation(url, Context());
  if (location.ok()) {
    said += "\n" + location->store->Describe();
    if (uri.scheme == "s3") {
      MV_FUZZ_CHECK(uri.path.empty() || "/" + location->key == uri.path,
                    mv::fuzz::Printable(url) + " -> key " + mv::fuzz::Printable(location->key));
    }
  } else {
    MV_FUZZ_CHECK_ERROR(location.status(), mv::StatusCode::kInvalidArgument);
    said += "\n" + location.status().message();
  }
  return said;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view url(reinterpret_cast<const char*>(data), size);
  auto uri = mv::ParseUri(url);
  if (!uri.ok() || uri->scheme == "file") return 0;
  (void)Open(url, *uri);

  if (!uri->password || HasMarker(uri->user.value_or("")) || HasMarker(uri->host) ||
      HasMarker(uri->path)) {
    return 0;
  }
  for (const auto& p : uri->query) {
    if (HasMarker(p.key) || HasMarker(p.value)) return 0;
  }
  mv::Uri marked = *uri;
  marked.password = std::string(kMarker);
  std::string marked_url = marked.ToString();
  std::string said = Open(marked_url, marked);
  MV_FUZZ_CHECK(!HasMarker(said),
                mv::fuzz::Printable(marked_url) + " -> " + mv::fuzz::Printable(said));
  return 0;
}
