// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a pool of threads. Keep-alive, a
// limit on header and body size and a timeout on every read and write, a bound on open
// connections, an access log, and a graceful stop on SIGTERM/SIGINT. Each request is answered by
// the handler function (the application's, e.g. server/handler.h); a response whose body is a
// BlobBody is read from the store off the connections' threads and streamed to the client in
// bounded reads with back-pressure both ways (HttpServerOptions), never held whole. It knows
// nothing of what it serves: routes, archives and stores are the application's.
//
// This is the only file that includes Boost.Beast and Asio (they dominate compile time).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "httpd/access_log.h"
#include "httpd/http_message.h"
#include "util/status.h"

namespace mv::httpd {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT ([v6]:PORT); port 0 picks a free port
  // Threads, each with its own connections. Handlers may block briefly (catalog queries), so
  // more threads than cores keep one from stalling every connection. 0: two per core, at least 4.
  int threads = 0;
  size_t max_connections = 4096;  // beyond: 503 and close
  // Reading one request, headers and body, from its first byte (on a new connection, from the
  // accept): a slow or silent client is disconnected after this.
  std::chrono::milliseconds read_timeout{30000};
  // A kept-alive connection may wait this long for the first byte of its next request (nginx's
  // keepalive_timeout). Separate from read_timeout: a client that takes a while to drain a large
  // response and send its next request is not a slow client, and closing its connection races
  // with that request.
  std::chrono::milliseconds keepalive_timeout{60000};
  std::chrono::milliseconds write_timeout{60000};   // each write of a response or a chunk of it
  std::chrono::milliseconds shutdown_grace{10000};  // for requests in flight at SIGTERM
  size_t header_limit = 16 * 1024;                  // request line and headers; beyond: 431
  size_t body_limit = 64 * 1024;  // request bodies (GET and HEAD need none); beyond: 413
  // Each write to a client is at most this many bytes, with its own write_timeout (so a slow
  // reader of a large body is cut only when it stalls).
  size_t stream_chunk = 256 * 1024;
  // The byte path of BlobBody responses. Store reads run on `store_threads` threads of their own,
  // never on a connection's; the connection's coroutine sends what they bring. A body of up to
  // `first_read` bytes is one read, done before the headers (its failure is an error status:
  // 503 with Retry-After for an unavailable store). A larger body's first read is `first_read`
  // bytes; one more read runs ahead while a read is sent, and each time the sender has to wait
  // for a read (the store is slower than the client) the reads grow, doubling up to `max_read`
  // bytes, and up to `reads_ahead` of them run at once. A slow client therefore holds at most two
  // reads of `first_read`, and no thread. Reads end at object offsets that are multiples of
  // their size (one shorter read after each growth), so that a read of 4 or 8 MiB spans as few of
  // the store's stripes (RGW's are 4 MiB) as it can. All responses' read buffers together stay
  // under `read_budget`, beyond which each response keeps one read in flight.
  int store_threads = 64;
  size_t first_read = 1024 * 1024;
  size_t max_read = 8 * 1024 * 1024;
  int reads_ahead = 4;
  size_t read_budget = 512 * 1024 * 1024;
  // Retry-After (seconds) of a 503 for a store that could not be read.
  int store_retry_after = 5;
  // Handlers that must wait long (the region cache waits for a copy) finish on a separate pool
  // of this many threads (Response::finish), so that they hold no connection thread.
  int blocking_threads = 64;
};

// What the server reports as it works, for metrics. Called from every server thread: thread-safe.
class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  // A request answered by `route` (Response::route; "error" for one that could not be read) with
  // `status`, `seconds` after its last header byte, with `bytes_sent` body bytes.
  virtual void RecordRequest(std::string_view route, int status, double seconds,
                             uint64_t bytes_sent) = 0;
  virtual void ConnectionOpened() = 0;
  virtual void ConnectionClosed() = 0;
  virtual void ConnectionRefused() = 0;  // at max_connections (503)
};

class HttpServer {
 public:
  using HandleFn = std::function<Response(const Request&)>;

  // `blobs` reads BlobBody responses (null: none are answered with one); `observer` and
  // `access_log` may be null. All three outlive the server.
  HttpServer(HttpServerOptions options, HandleFn handle, BlobReader* blobs,
             ServerObserver* observer, AccessLog* access_log);
  ~HttpServer();

  // Binds the listening socket. InvalidArgument for a bad address; Unavailable when the port is
  // taken.
  Status Listen();
  uint16_t port() const;  // after Listen
  // Serves until SIGTERM or SIGINT (or Stop()), then stops accepting, lets requests in flight
  // finish (closing idle keep-alive connections at once) for up to shutdown_grace, and returns.
  Status Run();
  // Thread-safe; after Listen (a Stop before Run makes Run return at once).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mv::httpd
