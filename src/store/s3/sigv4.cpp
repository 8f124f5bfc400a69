#include "store/s3/sigv4.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>

#include "util/hash.h"
#include "util/strings.h"
#include "util/uri.h"

namespace mv::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Trims leading and trailing blanks (SP, HTAB) and folds every inner run of blanks to one space.
std::string TrimAll(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsBlank(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// The one header map: lower-cased name -> trimmed values joined with ','. Sorted by name, so the
// signed-header list and the canonical header block are both read off it in order.
using HeaderMap = std::map<std::string, std::string>;

HeaderMap BuildHeaderMap(const std::vector<std::pair<std::string, std::string>>& headers) {
  HeaderMap map;
  for (const auto& [name, value] : headers) {
    auto [it, inserted] = map.try_emplace(Lower(name), TrimAll(value));
    if (!inserted) {
      it->second.push_back(',');
      it->second += TrimAll(value);
    }
  }
  return map;
}

std::string SignedHeadersOf(const HeaderMap& map) {
  std::string out;
  for (const auto& [name, value] : map) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string CanonicalHeadersOf(const HeaderMap& map) {
  std::string out;
  for (const auto& [name, value] : map) {
    out += name;
    out.push_back(':');
    out += value;
    out.push_back('\n');
  }
  return out;
}

// RFC 3986 section 5.2.4 on a decoded absolute path, plus removal of empty segments (repeated
// slashes), as AWS's generic services and botocore's SigV4Auth do. A trailing slash survives
// when the path ends in one and anything is left.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!segment.empty() && segment != ".") {
      kept.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += kept[i];
  }
  if (!kept.empty() && path.back() == '/') out.push_back('/');
  return out;
}

// The canonical request of r, whose headers have already been read into `headers`.
std::string CanonicalRequestWith(const SigV4Request& r, const HeaderMap& headers, PathMode mode) {
  return Join({r.method, CanonicalUri(r.path, mode), CanonicalQuery(r.query),
               CanonicalHeadersOf(headers), SignedHeadersOf(headers), r.payload_hash},
              "\n");
}

std::string DateStamp(std::chrono::system_clock::time_point t) { return AmzDate(t).substr(0, 8); }

std::string Credential(const Credentials& c, const SigV4Scope& scope) {
  return c.access_key_id + "/" + CredentialScope(scope);
}

bool NameIs(std::string_view name, std::string_view lower) { return Lower(name) == lower; }

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string AmzDate(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto day = std::chrono::floor<std::chrono::days>(secs);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{secs - day};
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf.data();
}

std::string CanonicalUri(std::string_view path, PathMode mode) {
  if (path.empty()) return "/";
  if (mode == PathMode::kS3) return UriEncode(path, false);
  return UriEncode(UriEncode(RemoveDotSegments(path), false), false);
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string SignedHeaderList(const SigV4Request& r) {
  return SignedHeadersOf(BuildHeaderMap(r.headers));
}

std::string CanonicalRequest(const SigV4Request& r, PathMode mode) {
  return CanonicalRequestWith(r, BuildHeaderMap(r.headers), mode);
}

std::string CredentialScope(const SigV4Scope& scope) {
  return DateStamp(scope.time) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string StringToSign(const std::string& canonical_request, const SigV4Scope& scope) {
  return Join({std::string(kAlgorithm), AmzDate(scope.time), CredentialScope(scope),
               Sha256Hex(canonical_request)},
              "\n");
}

std::string Signature(const std::string& string_to_sign, const SigV4Scope& scope,
                      const std::string& secret_access_key) {
  auto as_view = [](const std::array<uint8_t, 32>& mac) {
    return std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size());
  };
  auto k_date = HmacSha256("AWS4" + secret_access_key, DateStamp(scope.time));
  auto k_region = HmacSha256(as_view(k_date), scope.region);
  auto k_service = HmacSha256(as_view(k_region), scope.service);
  auto k_signing = HmacSha256(as_view(k_service), "aws4_request");
  return HexEncode(as_view(HmacSha256(as_view(k_signing), string_to_sign)));
}

std::vector<std::pair<std::string, std::string>> SignHeaders(const SigV4Request& r,
                                                             const SigV4Scope& scope,
                                                             const Credentials& c, PathMode mode) {
  std::vector<std::pair<std::string, std::string>> added = {{"x-amz-date", AmzDate(scope.time)}};
  if (!c.session_token.empty()) added.emplace_back("x-amz-security-token", c.session_token);

  SigV4Request signed_request = r;
  std::erase_if(signed_request.headers, [](const auto& header) {
    return NameIs(header.first, "x-amz-date") || NameIs(header.first, "x-amz-security-token");
  });
  signed_request.headers.insert(signed_request.headers.end(), added.begin(), added.end());

  HeaderMap headers = BuildHeaderMap(signed_request.headers);
  std::string signature =
      Signature(StringToSign(CanonicalRequestWith(signed_request, headers, mode), scope), scope,
                c.secret_access_key);
  std::string authorization(kAlgorithm);
  authorization += " Credential=" + Credential(c, scope);
  authorization += ", SignedHeaders=" + SignedHeadersOf(headers);
  authorization += ", Signature=" + signature;

  added.insert(added.begin(), {"Authorization", std::move(authorization)});
  return added;
}

SigV4Request PresignRequest(const SigV4Request& r, const SigV4Scope& scope, const Credentials& c,
                            std::chrono::seconds expires) {
  SigV4Request out = r;
  out.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  out.query.emplace_back("X-Amz-Credential", Credential(c, scope));
  out.query.emplace_back("X-Amz-Date", AmzDate(scope.time));
  out.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  if (!c.session_token.empty()) out.query.emplace_back("X-Amz-Security-Token", c.session_token);
  out.query.emplace_back("X-Amz-SignedHeaders", SignedHeaderList(r));
  out.payload_hash = std::string(kUnsignedPayload);
  return out;
}

std::string PresignQuery(const SigV4Request& r, const SigV4Scope& scope, const Credentials& c,
                         std::chrono::seconds expires) {
  SigV4Request presigned = PresignRequest(r, scope, c, expires);
  std::string signature = Signature(StringToSign(CanonicalRequest(presigned, PathMode::kS3), scope),
                                    scope, c.secret_access_key);
  return CanonicalQuery(presigned.query) + "&X-Amz-Signature=" + signature;
}

}  // namespace mv::s3
