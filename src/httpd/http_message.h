// The request and response as handlers see them: plain values with no socket and no Boost.Beast,
// so every handler is tested without a server. The server (httpd/http_server.h) fills a Request
// from the wire and writes a Response back, streaming a BlobBody through a BlobReader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace mv::httpd {

struct Request {
  std::string method;  // "GET", "HEAD", ...
  std::string target;  // origin-form: "/archive/debian/now/?x=1"
  // The request headers handlers read (empty when absent).
  std::string accept;
  std::string if_none_match;
  std::string if_modified_since;
  std::string if_range;
  std::string range;
  std::string host;
  std::string authorization;  // the admin API's bearer token
  std::string operator_name;  // X-Mirrorvault-Operator: who acts, for the audit log
  std::string client;         // the peer's address
  std::string forwarded_for;  // X-Forwarded-For (believed only from trusted proxies)
  bool head() const { return method == "HEAD"; }
  // The client prefers JSON (an Accept header naming application/json before text/html).
  bool WantsJson() const;
};

// A body read as it is sent (from a store, through the server's BlobReader): `length` bytes of
// object `key` from `offset`.
struct BlobBody {
  std::string key;
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t object_size = 0;  // the whole object's size (a hint for the store)
};

// Bytes of a blob, valid while `owner` is held (a read's own buffer, or a cached whole object
// that `bytes` is a slice of).
struct BlobBytes {
  std::shared_ptr<const void> owner;
  std::string_view bytes;
};

// Reads the bytes of BlobBody responses for the server. Thread-safe.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Bytes [offset, offset + length) of `blob`'s object when they are in memory, without blocking:
  // called on the connections' threads. nullopt: Read them.
  virtual std::optional<BlobBytes> ReadCached(const BlobBody& blob, uint64_t offset,
                                              uint64_t length) {
    (void)blob, (void)offset, (void)length;
    return std::nullopt;
  }
  // The same, from wherever they are: may block for as long as the store takes, so the server
  // calls it only on threads of its own for store reads, never on a connection's. An error when
  // they cannot be read (Unavailable: the store is down or overloaded, worth retrying later), or
  // when fewer or more came (Corruption).
  virtual Result<BlobBytes> Read(const BlobBody& blob, uint64_t offset, uint64_t length) = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;              // used when `blob` is unset
  std::optional<BlobBody> blob;  // streamed from the store
  // For metrics and the access log: which route answered ("archive_file", "mr", ...).
  std::string route = "other";
  // Not yet the answer: the rest of the work may block for long (the region cache waits for a
  // copy), so the server runs `finish` on a pool of its own (that holds no connection thread)
  // and sends what it returns. Handlers do their quick part (route, lookups, a cache hit) on the
  // connection's thread and leave only the wait here.
  std::function<Response()> finish;

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  const std::string* Find(std::string_view name) const;  // case-insensitive
  uint64_t ContentLength() const { return blob ? blob->length : body.size(); }
};

// The one mapping of a Status to the HTTP status of an answer: NotFound 404, InvalidArgument 400,
// PermissionDenied 403, AlreadyExists and PreconditionFailed 409, Unavailable 503 (retry later),
// anything else 500.
int HttpStatusOf(const Status& status);

// Small constructors for the common answers.
Response TextResponse(int status, std::string text);  // text/plain; charset=utf-8, one line + \n
Response HtmlResponse(int status, std::string html);
Response JsonResponse(int status, std::string json);
Response RedirectResponse(int status, std::string location);

}  // namespace mv::httpd
