#include "store/s3/s3_client.h"

#include <algorithm>

#include "store/s3/s3_errors.h"
#include "store/s3/s3_xml.h"
#include "store/s3/sigv4.h"

namespace mv::s3 {
namespace {

constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string CanonicalQueryString(std::vector<std::pair<std::string, std::string>> query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (auto& [k, v] : query) encoded.emplace_back(UriEncode(k, true), UriEncode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

}  // namespace

S3Client::S3Client(S3Endpoint endpoint, Credentials credentials,
                   std::shared_ptr<http::HttpClient> http, http::RetryPolicy retry, Clock* clock)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      http_(std::move(http)),
      retry_(std::move(retry)),
      clock_(clock != nullptr ? *clock : SystemClock()) {
  if (retry_.clock == nullptr) retry_.clock = &clock_;
}

std::string S3Client::Host() const {
  return endpoint_.virtual_hosted ? endpoint_.bucket + "." + endpoint_.authority
                                  : endpoint_.authority;
}

std::string S3Client::DecodedPath(const std::string& key) const {
  if (endpoint_.virtual_hosted) return "/" + key;
  return key.empty() ? "/" + endpoint_.bucket : "/" + endpoint_.bucket + "/" + key;
}

std::string S3Client::BuildUrl(const std::string& key, const std::string& query_string) const {
  std::string url = endpoint_.scheme + "://" + Host() + UriEncode(DecodedPath(key), false);
  if (!query_string.empty()) url += "?" + query_string;
  return url;
}

std::string S3Client::Describe(const std::string& key) const {
  return "s3://" + endpoint_.bucket + "/" + key;
}

Result<http::Response> S3Client::SendOnce(const S3Request& request) const {
  std::string payload_hash =
      request.payload_hash.empty() ? std::string(kUnsignedPayload) : request.payload_hash;
  http::Headers headers = request.headers;
  headers.emplace_back("host", Host());
  headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (!credentials_.access_key_id.empty()) {
    SigV4Request to_sign{.method = std::string(http::MethodName(request.method)),
                         .path = DecodedPath(request.key),
                         .query = request.query,
                         .headers = headers,
                         .payload_hash = payload_hash};
    SigV4Scope scope{.region = endpoint_.region, .service = "s3", .time = clock_.Now()};
    for (auto& header : SignHeaders(to_sign, scope, credentials_, PathMode::kS3)) {
      headers.push_back(std::move(header));
    }
  }
  // curl derives Host from the URL; sending our own copy would duplicate it.
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& h) { return h.first == "host"; }),
                headers.end());

  http::Request http_request{.method = request.method,
                             .url = BuildUrl(request.key, CanonicalQueryString(request.query)),
                             .headers = std::move(headers),
                             .body = request.body,
                             .sink = request.sink,
                             .stall_timeout = request.stall_timeout};
  std::string what = std::string(http::MethodName(request.method)) + " " + Describe(request.key);
  Result<http::Response> response = http_->Send(http_request);
  if (!response.ok()) return response.status().WithContext(Describe(request.key));
  if (response->status >= 200 && response->status < 300) return response;
  if (response->status == 304) return response;  // conditional GETs: the caller decides
  return StatusFromS3(response->status, ParseError(response->body), what);
}

Result<http::Response> S3Client::Send(const S3Request& request) const {
  Result<http::Response> last = Internal("no attempt made");
  Status st = http::RunWithRetries(retry_, [&](int attempt) -> Status {
    if (attempt > 1 && request.body != nullptr) {
      MV_RETURN_IF_ERROR(request.body->Rewind());
    }
    last = SendOnce(request);
    return last.ok() ? Status::Ok() : last.status();
  });
  if (!st.ok()) return st;
  return last;
}

std::string S3Client::PresignGet(const std::string& key, std::chrono::seconds ttl) const {
  SigV4Request to_sign{.method = "GET",
                       .path = DecodedPath(key),
                       .query = {},
                       .headers = {{"host", Host()}},
                       .payload_hash = std::string(kUnsignedPayload)};
  SigV4Scope scope{.region = endpoint_.region, .service = "s3", .time = clock_.Now()};
  return BuildUrl(key, "") + "?" + PresignQuery(to_sign, scope, credentials_, ttl);
}

}  // namespace mv::s3
