// The HTTP transport: one client per process, shared by S3, upstream mirroring and the region
// cache. The libcurl implementation drives every transfer of the process from a few curl multi
// handles, one thread and one core each (connection reuse, keep-alive, many transfers in
// flight); Send() may be called from any number of threads at once and blocks only its caller.
//
// Send() performs exactly one attempt. Transport failures (connect, reset, timeout, truncated
// body) come back as retryable Unavailable; HTTP statuses come back as a Response for the caller
// to map (StatusFromHttp, or a protocol's own mapping such as S3's XML error codes). Retries are
// the caller's, through RetryPolicy (retry_policy.h), because only the caller knows whether a
// request is idempotent and how to rewind its body.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/io.h"
#include "util/status.h"
#include "util/version.h"

namespace mv::http {

enum class Method { kGet, kHead, kPut, kPost, kDelete };
std::string_view MethodName(Method method);

// Header names as given on requests; lower-cased on responses.
using Headers = std::vector<std::pair<std::string, std::string>>;

// Returns the first header named `name` (case-insensitive), if any.
std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name);

struct Request {
  Method method = Method::kGet;
  std::string url;  // may carry query parameters that are secrets (presigned): never printed
  Headers headers;
  // The request body, read on the transport's thread: it must not block for long (a file or
  // memory). Rewound by the caller between attempts. Null for no body.
  Reader* body = nullptr;
  // When set, 2xx response bodies stream here instead of into Response::body. Error bodies are
  // always buffered (they are small and the caller needs them to map the error).
  Writer* sink = nullptr;
  // Abort when fewer than 1 byte/s moves for this long (a stalled peer), and the overall limit.
  std::chrono::seconds stall_timeout{30};
  std::chrono::seconds total_timeout{0};  // 0: none
  // Follow up to 5 redirects to http(s) URLs (GETs of upstream files; never S3 requests, whose
  // signatures are for one URL).
  bool follow_redirects = false;
  // "host:port:address[,address...]": connect to these addresses for host:port instead of
  // resolving it, on a fresh connection not kept for reuse, never through a proxy (a caller that
  // checked where the request goes: the region cache's origin fetches). Empty: resolve as usual.
  std::string pin;
  // Many small requests to one host (an upstream's pool): wait for a connection being set up to
  // say whether it multiplexes (HTTP/2), and share it, rather than open one more. Off for
  // requests that want connections of their own (S3 multipart parts, large ranged reads).
  bool multiplex = false;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;         // unless streamed to Request::sink
  uint64_t body_bytes = 0;  // bytes received (streamed or buffered)
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<Response> Send(const Request& request) = 0;
};

struct HttpClientOptions {
  // Connections kept open per host and in all; transfers beyond them queue.
  int max_connections_per_host = 128;
  int max_connections = 256;
  std::chrono::seconds connect_timeout{10};
  // A loop that has carried no transfer for this long closes the connections it keeps open, so
  // a quiet process holds no sockets to its store or upstream (0: keep them until reused or dead).
  std::chrono::seconds idle_close{15};
  // Event loops (curl multi handles, one thread each) the transfers are spread over; the
  // connection limits above are shared out among them. 0: two per core (at most 16).
  int loops = 0;
  std::string user_agent = "mirrorvault/" + std::string(kVersion);
  // The certificates to trust for https, a PEM file (empty: the system's).
  std::string ca_file;
};

std::shared_ptr<HttpClient> MakeCurlHttpClient(const HttpClientOptions& options = {});

// Maps an HTTP status to a Status: 404 NotFound, 409/412 PreconditionFailed, 401/403
// PermissionDenied, 408/429/5xx retryable Unavailable, other 4xx InvalidArgument.
// `what` names the operation and URL (without credentials).
Status StatusFromHttp(int status, std::string_view what, std::string_view detail = {});

}  // namespace mv::http
