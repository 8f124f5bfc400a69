// OpenStore and OpenStoreLocation on store URLs, through the s3:// URL -> S3 options path
// (bucket, prefix, endpoint, region, addressing) and memory://. file:// URLs are skipped: they
// create folders. Nothing goes over the network: the HTTP transport is a stub that fails, and
// building an S3 store sends no request. Properties: errors are InvalidArgument with a message
// that does not carry the URL's password; a store's Describe() holds no secret.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/http_client.h"
#include "store/open_store.h"
#include "util/redact.h"
#include "util/uri.h"

namespace {

class NoNetwork final : public mv::http::HttpClient {
 public:
  mv::Result<mv::http::Response> Send(const mv::http::Request&) override {
    return mv::Unavailable("no network in the fuzzer");
  }
};

// The password must not be in `text`, unless it is also somewhere else in the URL (or in
// RedactUrl's output, or short enough to occur by chance).
void CheckNoPassword(const mv::Uri& uri, std::string_view url, std::string_view text) {
  if (!uri.password || uri.password->size() < 6) return;
  const std::string& pw = *uri.password;
  auto has = [&](std::string_view s) { return s.find(pw) != std::string_view::npos; };
  if (has(uri.user.value_or("")) || has(uri.host) || has(uri.path) || has(mv::RedactUrl(url))) {
    return;
  }
  for (const auto& p : uri.query) {
    if (has(p.key) || has(p.value)) return;
  }
  MV_FUZZ_CHECK(!has(text), mv::fuzz::Printable(text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view url(reinterpret_cast<const char*>(data), size);
  auto uri = mv::ParseUri(url);
  if (!uri.ok() || uri->scheme == "file") return 0;

  static const mv::store::StoreContext context{.http = std::make_shared<NoNetwork>()};
  auto store = mv::store::OpenStore(url, context);
  if (store.ok()) {
    CheckNoPassword(*uri, url, (*store)->Describe());
  } else {
    MV_FUZZ_CHECK_ERROR(store.status(), mv::StatusCode::kInvalidArgument);
    CheckNoPassword(*uri, url, store.status().message());
  }
  auto location = mv::store::OpenStoreLocation(url, context);
  if (location.ok()) {
    CheckNoPassword(*uri, url, location->store->Describe());
    if (uri->scheme == "s3") {
      MV_FUZZ_CHECK(uri->path.empty() || "/" + location->key == uri->path,
                    mv::fuzz::Printable(url) + " -> key " + mv::fuzz::Printable(location->key));
    }
  } else {
    MV_FUZZ_CHECK_ERROR(location.status(), mv::StatusCode::kInvalidArgument);
    CheckNoPassword(*uri, url, location.status().message());
  }
  return 0;
}
