// Answering GET and HEAD for one stored file (RFC 9110): validators (a strong ETag, the SHA-256,
// and Last-Modified), conditional requests (304), single byte ranges (206, 416) and If-Range.
// Pure functions of the request and the file's facts, so the rules are unit-tested and fuzzed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "httpd/http_message.h"

namespace mv::server {

// What a Range header asks of a body of `size` bytes.
struct RangeRequest {
  enum class Kind {
    kWhole,          // no Range, another unit, or several ranges: send the whole body (200)
    kPartial,        // one satisfiable range: [first, last] (206)
    kUnsatisfiable,  // a well-formed range that starts past the end (416)
    kMalformed,      // "bytes=" followed by something that is not a range list (416)
  };
  Kind kind = Kind::kWhole;
  uint64_t first = 0;
  uint64_t last = 0;
};
RangeRequest ParseRange(std::string_view header, uint64_t size);

// The facts about one stored file that the answer needs.
struct StoredFile {
  std::string blob_key;    // where the bytes are
  std::string sha256_hex;  // the ETag (quoted on the wire)
  uint64_t size = 0;
  std::chrono::system_clock::time_point last_modified;
  std::string content_type;
  std::string cache_control;
};

// 200 with the whole body, 206 with one range, 304 when a validator matches, 412 never (no
// If-Match support is needed for reads), 416 with "Content-Range: bytes */size".
httpd::Response ServeStoredFile(const httpd::Request& request, const StoredFile& file);

// "public, max-age=31536000, immutable": for URLs whose answer never changes (a canonical run
// URL, a file by hash).
inline constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

}  // namespace mv::server
