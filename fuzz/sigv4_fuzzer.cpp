// SigV4 on arbitrary requests (within its preconditions: an absolute path, a host header, no CR
// or LF in headers). Properties: UriEncode writes only unreserved characters, '/' when kept and
// %XX, and decodes back to its input; the canonical request does not depend on the order of
// query parameters or of differently named headers; its signed-header line is
// SignedHeaderList; kNormalize paths hold no dot segments or empty segments; SignHeaders returns
// Authorization, x-amz-date (and the session token) in that order; PresignQuery is the canonical
// query of PresignRequest and the signature.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "store/s3/sigv4.h"
#include "util/uri.h"

namespace {

using mv::s3::PathMode;
using mv::s3::SigV4Request;
using mv::s3::SigV4Scope;

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void CheckUriEncode(const std::string& s, bool encode_slash) {
  std::string e = mv::s3::UriEncode(s, encode_slash);
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '%') {
      MV_FUZZ_CHECK(i + 2 < e.size() && std::isxdigit(static_cast<unsigned char>(e[i + 1])) &&
                        std::isxdigit(static_cast<unsigned char>(e[i + 2])) &&
                        !std::islower(static_cast<unsigned char>(e[i + 1])) &&
                        !std::islower(static_cast<unsigned char>(e[i + 2])),
                    mv::fuzz::Printable(e));
      i += 2;
      continue;
    }
    MV_FUZZ_CHECK(IsUnreserved(e[i]) || (e[i] == '/' && !encode_slash), mv::fuzz::Printable(e));
  }
  auto decoded = mv::PercentDecode(e);
  MV_FUZZ_CHECK(decoded.ok() && *decoded == s, mv::fuzz::Printable(e));
}

std::string NoNewlines(std::string s) {
  std::erase_if(s, [](char c) { return c == '\r' || c == '\n'; });
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// An absolute path without "." or ".." segments or empty ones (but a trailing slash).
bool Normalized(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    if (segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) return true;
    if (segment.empty()) return false;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  static constexpr const char* kMethods[] = {"GET", "PUT", "HEAD", "POST", "DELETE"};
  SigV4Request r;
  r.method = fdp.ConsumeBool() ? fdp.PickValueInArray(kMethods) : fdp.ConsumeRandomLengthString(8);
  r.path = "/" + fdp.ConsumeRandomLengthString(64);
  size_t params = fdp.ConsumeIntegralInRange<size_t>(0, 6);
  for (size_t i = 0; i < params; ++i) {
    std::string name = fdp.ConsumeRandomLengthString(16);
    r.query.emplace_back(std::move(name), fdp.ConsumeRandomLengthString(16));
  }
  r.headers.emplace_back("Host", NoNewlines(fdp.ConsumeRandomLengthString(32)));
  size_t headers = fdp.ConsumeIntegralInRange<size_t>(0, 6);
  for (size_t i = 0; i < headers; ++i) {
    std::string name = NoNewlines(fdp.ConsumeRandomLengthString(16));
    r.headers.emplace_back(std::move(name), NoNewlines(fdp.ConsumeRandomLengthString(32)));
  }
  r.payload_hash = fdp.ConsumeBool() ? "UNSIGNED-PAYLOAD" : fdp.ConsumeRandomLengthString(64);
  SigV4Scope scope{.region = fdp.ConsumeRandomLengthString(16),
                   .service = fdp.ConsumeBool() ? "s3" : fdp.ConsumeRandomLengthString(8),
                   .time = std::chrono::system_clock::time_point(
                       std::chrono::system_clock::duration(fdp.ConsumeIntegral<int64_t>()))};
  mv::s3::Credentials creds{.access_key_id = fdp.ConsumeRandomLengthString(20),
                            .secret_access_key = fdp.ConsumeRandomLengthString(40),
                            .session_token = fdp.ConsumeRandomLengthString(40)};
  auto expires = std::chrono::seconds(fdp.ConsumeIntegral<int64_t>());

  CheckUriEncode(r.path, false);
  CheckUriEncode(r.path, true);
  for (const auto& [name, value] : r.query) {
    CheckUriEncode(name, true);
    CheckUriEncode(value, true);
  }

  for (PathMode mode : {PathMode::kS3, PathMode::kNormalize}) {
    std::string canonical = mv::s3::CanonicalRequest(r, mode);
    MV_FUZZ_CHECK(canonical == mv::s3::CanonicalRequest(r, mode), "not deterministic");

    // Reordered: query reversed; headers sorted by name (stable, so that values of a repeated
    // name keep their order, which the contract says matters).
    SigV4Request reordered = r;
    std::reverse(reordered.query.begin(), reordered.query.end());
    std::stable_sort(reordered.headers.begin(), reordered.headers.end(),
                     [](const auto& a, const auto& b) { return Lower(a.first) > Lower(b.first); });
    MV_FUZZ_CHECK(mv::s3::CanonicalRequest(reordered, mode) == canonical,
                  mv::fuzz::Printable(canonical));

    std::string uri = mv::s3::CanonicalUri(r.path, mode);
    MV_FUZZ_CHECK(!uri.empty() && uri.front() == '/', mv::fuzz::Printable(uri));
    MV_FUZZ_CHECK(canonical.starts_with(r.method + "\n" + uri + "\n" +
                                        mv::s3::CanonicalQuery(r.query) + "\n"),
                  mv::fuzz::Printable(canonical));
    std::string tail = "\n" + mv::s3::SignedHeaderList(r) + "\n" + r.payload_hash;
    MV_FUZZ_CHECK(canonical.ends_with(tail), mv::fuzz::Printable(canonical));
    if (mode == PathMode::kNormalize) {
      auto once = mv::PercentDecode(uri);
      MV_FUZZ_CHECK(once.ok(), mv::fuzz::Printable(uri));
      auto path = mv::PercentDecode(*once);
      MV_FUZZ_CHECK(path.ok(), mv::fuzz::Printable(uri));
      MV_FUZZ_CHECK(Normalized(*path),
                    mv::fuzz::Printable(r.path) + " -> " + mv::fuzz::Printable(*path));
    } else {
      auto path = mv::PercentDecode(uri);
      MV_FUZZ_CHECK(path.ok() && *path == r.path, mv::fuzz::Printable(uri));
    }

    // Signing is HMACs over the canonical request checked above: run once (it is the slow part).
    auto signed_headers = mv::s3::SignHeaders(r, scope, creds, mode);
    MV_FUZZ_CHECK(signed_headers.size() == (creds.session_token.empty() ? 2u : 3u), "headers");
    MV_FUZZ_CHECK(signed_headers[0].first == "Authorization", signed_headers[0].first);
    MV_FUZZ_CHECK(signed_headers[1].first == "x-amz-date" &&
                      signed_headers[1].second == mv::s3::AmzDate(scope.time),
                  signed_headers[1].second);
  }

  std::string query = mv::s3::PresignQuery(r, scope, creds, expires);
  MV_FUZZ_CHECK(query.starts_with(
                    mv::s3::CanonicalQuery(mv::s3::PresignRequest(r, scope, creds, expires).query) +
                    "&X-Amz-Signature="),
                mv::fuzz::Printable(query));
  return 0;
}
