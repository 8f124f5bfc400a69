// AWS Signature Version 4 (AWS4-HMAC-SHA256), header and query-string (presigned) forms.
//
// Pure functions: every input, the signing time included, is an argument; nothing is read from
// the clock or the environment. Thread safety: all functions are reentrant.
//
// Tested against AWS's published SigV4 test suite, the S3 documentation examples, and botocore's
// S3 signers on randomised requests (tests/store/s3/).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mv::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary (STS) credentials
};

struct SigV4Request {
  std::string method;  // "GET", "PUT", ...
  // DECODED absolute path, e.g. "/bucket/a b+c/ü". The wire path is UriEncode(path, false).
  std::string path;
  // DECODED query parameters, any order; a value may be empty.
  std::vector<std::pair<std::string, std::string>> query;
  // Headers to sign, names in any case, any order; MUST include host. Repeated names are joined
  // with ',' in the order given. REQUIRES: no CR or LF in names or values.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // lower-hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigV4Scope {
  std::string region;   // "us-east-1"
  std::string service;  // "s3"
  std::chrono::system_clock::time_point time;
};

// kS3: the canonical URI is UriEncode(path, false), exactly the wire path: no dot-segment or
//      slash normalization, a single encoding.
// kNormalize: generic AWS services (the published test suite): dot segments and repeated slashes
//      are removed, then the wire path is encoded again (double encoding).
enum class PathMode { kS3, kNormalize };

// RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) kept, every other byte %XX with upper-case
// hex; '/' kept unless `encode_slash`.
std::string UriEncode(std::string_view s, bool encode_slash);

// "20150830T123600Z" (UTC, seconds truncated toward the past).
std::string AmzDate(std::chrono::system_clock::time_point t);

// The canonical URI for `path` in `mode` (always starts with '/').
std::string CanonicalUri(std::string_view path, PathMode mode);

// "name=value&..." with names and values UriEncode(…, true), sorted by encoded name, then value.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

// "host;x-amz-date;...": the lower-cased, sorted, de-duplicated names of r.headers.
std::string SignedHeaderList(const SigV4Request& r);

// The canonical request, from r.headers as given (the caller includes x-amz-date etc.).
std::string CanonicalRequest(const SigV4Request& r, PathMode mode);

// "<yyyymmdd>/<region>/<service>/aws4_request".
std::string CredentialScope(const SigV4Scope& scope);

std::string StringToSign(const std::string& canonical_request, const SigV4Scope& scope);

// Lower-hex HMAC-SHA256 of `string_to_sign` under the key derived from the secret and the scope.
std::string Signature(const std::string& string_to_sign, const SigV4Scope& scope,
                      const std::string& secret_access_key);

// Signs r with x-amz-date (and x-amz-security-token when `c` has a session token) added to the
// signed headers; any x-amz-date / x-amz-security-token already in r.headers is replaced, not
// duplicated. Returns the headers the caller must send in addition to its own, in this order:
// {"Authorization", ...}, {"x-amz-date", ...}, optionally {"x-amz-security-token", ...}.
// It does NOT add x-amz-content-sha256: S3 callers put it in r.headers themselves.
std::vector<std::pair<std::string, std::string>> SignHeaders(const SigV4Request& r,
                                                             const SigV4Scope& scope,
                                                             const Credentials& c, PathMode mode);

// The request a presigned URL signs: r with X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-Expires, X-Amz-SignedHeaders (the names of r.headers, normally just host) and, when `c`
// has a session token, X-Amz-Security-Token added to the query, and payload_hash
// "UNSIGNED-PAYLOAD" (r.payload_hash is ignored). Exposed so tests can check each step.
SigV4Request PresignRequest(const SigV4Request& r, const SigV4Scope& scope, const Credentials& c,
                            std::chrono::seconds expires);

// Query-string presigning, S3 style (kS3 path mode). Returns the full encoded query string
// (without '?') to put after the S3-encoded path: the canonical query of PresignRequest(...)
// followed by "&X-Amz-Signature=<hex>". r.headers must include host (and nothing the client
// will not send).
std::string PresignQuery(const SigV4Request& r, const SigV4Scope& scope, const Credentials& c,
                         std::chrono::seconds expires);

}  // namespace mv::s3
