#include "httpd/http_server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "http/http_date.h"
#include "util/log.h"

namespace mv::httpd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// The Date header, formatted once per second per thread.
const std::string& DateHeader() {
  thread_local std::string text;
  thread_local std::chrono::sys_seconds at{};
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (now != at) {
    at = now;
    text = mv::http::FormatHttpDate(now);
  }
  return text;
}

struct Session {
  explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // between a request's last byte and its response's; only on its thread
};

// One store read of a BlobBody response, run on the server's store threads; `done` and `bytes`
// are set, and `wake` cancelled, on the connection's thread, where the sender waits on `wake`.
// Its bytes count against the server's read budget for as long as it lives.
struct PendingRead {
  PendingRead(const asio::any_io_executor& executor, std::atomic<int64_t>& held, uint64_t first,
              uint64_t size)
      : wake(executor), budget(held), offset(first), length(size) {
    budget.fetch_add(static_cast<int64_t>(length));
  }
  ~PendingRead() { budget.fetch_sub(static_cast<int64_t>(length)); }
  PendingRead(const PendingRead&) = delete;
  PendingRead& operator=(const PendingRead&) = delete;

  asio::steady_timer wake;
  std::atomic<int64_t>& budget;
  const uint64_t offset;
  const uint64_t length;
  bool done = false;
  std::optional<Result<BlobBytes>> bytes;
};

template <class Message>
void SetHeaders(Message& m, const Response& response, bool keep_alive) {
  m.set(http::field::server, "mirrorvault");
  m.set(http::field::date, DateHeader());
  for (const auto& [name, value] : response.headers) m.insert(name, value);
  m.keep_alive(keep_alive);
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HandleFn handle;
  BlobReader* blobs;
  ServerObserver* metrics;
  AccessLog* access_log;

  // One io_context per thread, each run by its own thread: connections are spread over them
  // round-robin and never change thread, so no locks or cross-thread wake-ups on the hot path
  // (one shared io_context spent a sixth of its time in the scheduler's wake-ups). `ioc` also
  // holds the acceptor, the signals and the timers.
  asio::io_context ioc{1};
  std::vector<std::unique_ptr<asio::io_context>> workers;  // threads - 1 more
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> worker_guards;
  size_t next_context = 0;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGTERM, SIGINT};
  asio::steady_timer flush_timer{ioc};
  asio::steady_timer grace_timer{ioc};
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> open{0};
  std::mutex sessions_mu;
  std::set<std::shared_ptr<Session>> sessions;
  std::unique_ptr<asio::thread_pool> blocking;      // handlers that must wait finish here
  std::unique_ptr<asio::thread_pool> store_reads;   // every BlobReader::Read runs here
  std::atomic<int64_t> read_bytes{0};               // held by PendingReads (read_budget)
  std::atomic<int64_t> last_failure_log{-1000000};  // steady milliseconds (LogStoreFailure)
  std::atomic<int64_t> failures_unlogged{0};

  Impl(HttpServerOptions o, HandleFn h, BlobReader* b, ServerObserver* m, AccessLog* l)
      : options(std::move(o)), handle(std::move(h)), blobs(b), metrics(m), access_log(l) {
    blocking = std::make_unique<asio::thread_pool>(
        static_cast<size_t>(std::max(options.blocking_threads, 1)));
    store_reads = std::make_unique<asio::thread_pool>(
        static_cast<size_t>(std::max(options.store_threads, 1)));
    options.first_read = std::max<size_t>(options.first_read, 1);
    options.max_read = std::max(options.max_read, options.first_read);
    options.stream_chunk = std::max<size_t>(options.stream_chunk, 1);
    options.reads_ahead = std::max(options.reads_ahead, 1);
  }

  // --- writing responses ---

  // Sends a response whose body is in memory (or none: HEAD, 304). Returns the body bytes sent,
  // or an error.
  asio::awaitable<beast::error_code> WriteBuffered(Session& s, unsigned version,
                                                   const Response& response, std::string body,
                                                   bool head, bool keep_alive) {
    s.stream.expires_after(options.write_timeout);
    const bool no_body = head || response.status == 304 || response.status == 204;
    if (no_body) {
      http::response<http::empty_body> m{static_cast<http::status>(response.status), version};
      SetHeaders(m, response, keep_alive);
      if (head && response.status != 304) {
        // The length a GET would send: `body` holds the in-memory body (response.body was moved
        // into it), a blob its own length.
        const uint64_t length = response.blob ? response.blob->length : body.size();
        m.set(http::field::content_length, std::to_string(length));
      }
      auto [ec, n] = co_await http::async_write(s.stream, m, kNoThrow);
      co_return ec;
    }
    http::response<http::string_body> m{static_cast<http::status>(response.status), version,
                                        std::move(body)};
    SetHeaders(m, response, keep_alive);
    m.prepare_payload();
    auto [ec, n] = co_await http::async_write(s.stream, m, kNoThrow);
    co_return ec;
  }

  // Starts reading [offset, offset + length) of `blob` on the store threads; the result comes
  // back on `executor` (the connection's).
  std::shared_ptr<PendingRead> StartRead(const BlobBody& blob, uint64_t offset, uint64_t length,
                                         const asio::any_io_executor& executor) {
    auto read = std::make_shared<PendingRead>(executor, read_bytes, offset, length);
    asio::post(*store_reads, [this, read, blob, executor] {
      Result<BlobBytes> got = Internal("a blob response, but the server has no BlobReader");
      if (blobs != nullptr) got = blobs->Read(blob, read->offset, read->length);
      if (got.ok() && got->bytes.size() != read->length) {
        got = Corruption("blob " + blob.key + ": the reader gave " +
                         std::to_string(got->bytes.size()) + " bytes where " +
                         std::to_string(read->length) + " were asked for");
      }
      asio::post(executor, [read, got = std::move(got)]() mutable {
        read->bytes = std::move(got);
        read->done = true;
        read->wake.cancel();
      });
    });
    return read;
  }

  // Waits, without holding the thread, until `read` is done.
  static asio::awaitable<void> Await(PendingRead& read) {
    while (!read.done) {
      read.wake.expires_at(asio::steady_timer::time_point::max());
      auto [ec] = co_await read.wake.async_wait(kNoThrow);
      (void)ec;
    }
  }

  // Writes `bytes` as the next part of the body `sr` serializes, in writes of at most
  // stream_chunk bytes, each with its own timeout. `last`: nothing follows.
  asio::awaitable<bool> WriteBodyPart(Session& s, http::response<http::buffer_body>& m,
                                      http::response_serializer<http::buffer_body>& sr,
                                      std::string_view bytes, bool last, uint64_t* sent) {
    size_t done = 0;
    do {
      const size_t n = std::min(bytes.size() - done, options.stream_chunk);
      m.body().data = const_cast<char*>(bytes.data() + done);
      m.body().size = n;
      m.body().more = !(last && done + n == bytes.size());
      s.stream.expires_after(options.write_timeout);
      auto [ec, written] = co_await http::async_write(s.stream, sr, kNoThrow);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return false;
      done += n;
      *sent += n;
    } while (done < bytes.size());
    co_return true;
  }

  // A store read failed: logged at most once a second (a store that is down fails every read),
  // with the number of failures not logged since.
  void LogStoreFailure(std::string_view what, const BlobBody& blob, const Status& st) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t last = last_failure_log.load();
    if (now - last < 1000 || !last_failure_log.compare_exchange_strong(last, now)) {
      failures_unlogged.fetch_add(1);
      return;
    }
    LogWarn(
        what,
        {{"key", blob.key}, {"error", st}, {"failures_not_logged", failures_unlogged.exchange(0)}});
  }

  // The answer when a body's first bytes could not be read: nothing was sent yet.
  Response StoreFailure(const BlobBody& blob, const Status& st) {
    LogStoreFailure("reading a blob failed", blob, st);
    if (st.code() == StatusCode::kUnavailable) {
      Response r = TextResponse(503, "the store is unavailable; try again shortly");
      r.Set("Retry-After", std::to_string(options.store_retry_after));
      r.route = "store_unavailable";
      return r;
    }
    Response r = TextResponse(500, "the file could not be read from the store");
    r.route = "store_error";
    return r;
  }

  // Sends `response`; `*sent` gets the body bytes written. False: the connection must close.
  asio::awaitable<bool> WriteResponse(Session& s, unsigned version, Response response, bool head,
                                      bool keep_alive, uint64_t* sent, int* status,
                                      std::string* route) {
    *status = response.status;
    *sent = 0;
    if (!response.blob || head || response.blob->length == 0) {
      std::string body = std::move(response.body);
      uint64_t n = head ? 0 : (response.blob ? 0 : body.size());
      beast::error_code ec =
          co_await WriteBuffered(s, version, response, std::move(body), head, keep_alive);
      *sent = ec ? 0 : n;
      co_return !ec;
    }
    const BlobBody blob = *response.blob;
    const uint64_t end = blob.offset + blob.length;
    const asio::any_io_executor executor = s.stream.get_executor();

    // The first bytes: from memory, or one read before the headers.
    BlobBytes first;
    if (std::optional<BlobBytes> cached =
            blobs != nullptr ? blobs->ReadCached(blob, blob.offset, blob.length) : std::nullopt) {
      first = std::move(*cached);
    } else {
      std::shared_ptr<PendingRead> read = StartRead(
          blob, blob.offset, std::min<uint64_t>(blob.length, options.first_read), executor);
      co_await Await(*read);
      if (!read->bytes->ok()) {
        Response error = StoreFailure(blob, read->bytes->status());
        *status = error.status;
        *route = error.route;
        beast::error_code ec =
            co_await WriteBuffered(s, version, error, error.body, false, keep_alive);
        co_return !ec;
      }
      first = std::move(**read->bytes);
    }

    // Reads ahead of the sender (see HttpServerOptions): `size` bytes each, `depth` at once.
    std::deque<std::shared_ptr<PendingRead>> ahead;
    uint64_t next = blob.offset + first.bytes.size();
    uint64_t size = options.first_read;
    size_t depth = 1;
    auto launch = [&] {
      while (next < end && ahead.size() < depth &&
             (ahead.empty() || read_bytes.load() + static_cast<int64_t>(size) <=
                                   static_cast<int64_t>(options.read_budget))) {
        const uint64_t n = std::min(size - next % size, end - next);
        ahead.push_back(StartRead(blob, next, n, executor));
        next += n;
      }
    };
    launch();

    http::response<http::buffer_body> m{static_cast<http::status>(response.status), version};
    SetHeaders(m, response, keep_alive);
    m.content_length(blob.length);
    http::response_serializer<http::buffer_body> sr{m};
    if (!co_await WriteBodyPart(s, m, sr, first.bytes, ahead.empty() && next >= end, sent))
      co_return false;
    first = {};
    while (!ahead.empty()) {
      std::shared_ptr<PendingRead> read = ahead.front();
      const bool waited = !read->done;
      co_await Await(*read);
      ahead.pop_front();
      if (!read->bytes->ok()) {
        // Too late for an error status: closing short of Content-Length tells the client.
        LogStoreFailure("reading a blob failed mid-response", blob, read->bytes->status());
        co_return false;
      }
      if (waited) {  // the store is the slower side: larger reads, and more of them at once
        size = std::min<uint64_t>(size * 2, options.max_read);
        depth = std::min(depth + 1, static_cast<size_t>(options.reads_ahead));
      }
      launch();
      const BlobBytes bytes = std::move(**read->bytes);
      read.reset();
      if (!co_await WriteBodyPart(s, m, sr, bytes.bytes, ahead.empty() && next >= end, sent))
        co_return false;
    }
    co_return true;
  }

  // --- connections ---

  asio::awaitable<void> Serve(std::shared_ptr<Session> s) {
    beast::error_code ignored;
    const std::string client = s->stream.socket().remote_endpoint(ignored).address().to_string();
    beast::flat_buffer buffer;
    for (bool kept_alive = false;; kept_alive = true) {
      s->busy = false;
      if (stopping.load()) break;
      if (kept_alive && buffer.size() == 0) {
        // Between requests: wait for the next one's first byte as long as keep-alive allows.
        s->stream.expires_after(options.keepalive_timeout);
        auto [ec, n] = co_await s->stream.async_read_some(buffer.prepare(4096), kNoThrow);
        if (ec) break;  // closed by the client, idle too long, or the server stopping
        buffer.commit(n);
      }
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      parser.body_limit(options.body_limit);
      s->stream.expires_after(options.read_timeout);
      auto [ec, n] = co_await http::async_read(s->stream, buffer, parser, kNoThrow);
      s->busy = true;
      if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
          ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::eof) {
        break;
      }
      const auto start = std::chrono::steady_clock::now();
      if (ec) {
        // A request we cannot read: say why, and close.
        int status = ec == http::error::header_limit ? 431
                     : ec == http::error::body_limit ? 413
                                                     : 400;
        Response r = TextResponse(status, status == 431   ? "request headers too large"
                                          : status == 413 ? "request body too large"
                                                          : "malformed request: " + ec.message());
        beast::error_code wec = co_await WriteBuffered(*s, 11, r, r.body, false, false);
        (void)wec;
        Record(client, "-", "-", 11, status, r.body.size(), start, "error", {}, {});
        break;
      }
      auto& req = parser.get();
      Request request;
      request.method = std::string(req.method_string());
      request.target = std::string(req.target());
      auto header = [&](http::field f) { return std::string(req[f]); };
      request.accept = header(http::field::accept);
      request.if_none_match = header(http::field::if_none_match);
      request.if_modified_since = header(http::field::if_modified_since);
      request.if_range = header(http::field::if_range);
      request.range = header(http::field::range);
      request.host = header(http::field::host);
      request.authorization = header(http::field::authorization);
      request.operator_name = std::string(req["X-Mirrorvault-Operator"]);
      request.client = client;
      request.forwarded_for = std::string(req["X-Forwarded-For"]);
      Response response = handle(request);
      if (response.finish) {
        // On the blocking pool for as long as it waits; the coroutine resumes on the
        // connection's own thread to write. (A plain post would resume here at once: an
        // awaitable completes on its own executor.)
        std::function<Response()> finish = std::move(response.finish);
        response = co_await asio::co_spawn(
            *blocking, [&finish]() -> asio::awaitable<Response> { co_return finish(); },
            asio::use_awaitable);
      }
      std::string route = response.route;
      const bool keep_alive = req.keep_alive() && !stopping.load();
      uint64_t sent = 0;
      int status = 0;
      bool ok = co_await WriteResponse(*s, req.version(), std::move(response), request.head(),
                                       keep_alive, &sent, &status, &route);
      Record(client, request.method, request.target, req.version(), status, sent, start, route,
             header(http::field::referer), header(http::field::user_agent));
      if (!ok || !keep_alive) break;
    }
    s->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    s->stream.close();
  }

  void Record(const std::string& client, std::string_view method, std::string_view target,
              unsigned version, int status, uint64_t bytes,
              std::chrono::steady_clock::time_point start, std::string_view route,
              std::string_view referer, std::string_view user_agent) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (metrics) metrics->RecordRequest(route, status, seconds, bytes);
    if (access_log) {
      access_log->Write({.client = client,
                         .time = std::chrono::system_clock::now(),
                         .method = method,
                         .target = target,
                         .version = version,
                         .status = status,
                         .bytes = bytes,
                         .referer = referer,
                         .user_agent = user_agent,
                         .seconds = seconds});
    }
  }

  asio::awaitable<void> Refuse(tcp::socket socket) {
    Session s(std::move(socket));
    Response r = TextResponse(503, "too many connections; try again shortly");
    r.Set("Retry-After", "1");
    beast::error_code ec = co_await WriteBuffered(s, 11, r, r.body, false, false);
    (void)ec;
    beast::error_code ignored;
    s.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      asio::io_context& target = next_context == 0 ? ioc : *workers[next_context - 1];
      next_context = (next_context + 1) % (workers.size() + 1);
      auto [ec, socket] = co_await acceptor.async_accept(target.get_executor(), kNoThrow);
      if (stopping.load() || ec == asio::error::operation_aborted) co_return;
      if (ec) {  // out of descriptors and the like: pause instead of spinning
        LogWarn("accept failed", {{"error", ec.message()}});
        asio::steady_timer pause(ioc, std::chrono::milliseconds(50));
        co_await pause.async_wait(kNoThrow);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      if (open.load() >= static_cast<int64_t>(options.max_connections)) {
        if (metrics) metrics->ConnectionRefused();
        auto exec = socket.get_executor();
        asio::co_spawn(exec, Refuse(std::move(socket)), asio::detached);
        continue;
      }
      auto s = std::make_shared<Session>(std::move(socket));
      {
        std::lock_guard lock(sessions_mu);
        sessions.insert(s);
      }
      open.fetch_add(1);
      if (metrics) metrics->ConnectionOpened();
      asio::co_spawn(s->stream.get_executor(), Serve(s), [this, s](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            LogError("connection failed", {{"error", ex.what()}});
          }
        }
        open.fetch_sub(1);
        if (metrics) metrics->ConnectionClosed();
        std::lock_guard lock(sessions_mu);
        sessions.erase(s);
        if (stopping.load() && sessions.empty()) {
          asio::post(ioc, [this] { grace_timer.cancel(); });
        }
      });
    }
  }

  asio::awaitable<void> FlushLoop() {
    while (!stopping.load()) {
      flush_timer.expires_after(std::chrono::seconds(1));
      co_await flush_timer.async_wait(kNoThrow);
      if (access_log) access_log->Flush();
    }
  }

  // Stops accepting, closes idle connections, and gives busy ones shutdown_grace to finish.
  void BeginStop() {
    if (stopping.exchange(true)) return;
    asio::post(ioc, [this] {
      beast::error_code ignored;
      acceptor.close(ignored);
      signals.cancel(ignored);
      flush_timer.cancel();
      std::vector<std::shared_ptr<Session>> all;
      {
        std::lock_guard lock(sessions_mu);
        all.assign(sessions.begin(), sessions.end());
      }
      for (const auto& s : all) {
        asio::post(s->stream.get_executor(), [s] {
          beast::error_code ignored_cancel;  // a connection closing meanwhile has no socket
          if (!s->busy) s->stream.socket().cancel(ignored_cancel);  // waiting for a request
        });
      }
      // The worker threads return once their connections are done.
      worker_guards.clear();
      if (all.empty()) return;
      grace_timer.expires_after(options.shutdown_grace);
      grace_timer.async_wait([this](beast::error_code ec) {
        if (!ec) {
          LogWarn("requests still running at the end of the shutdown grace; stopping anyway");
          ioc.stop();
          for (auto& w : workers) w->stop();
        }
      });
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, HandleFn handle, BlobReader* blobs,
                       ServerObserver* observer, AccessLog* access_log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handle), blobs, observer,
                                   access_log)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Listen() {
  const std::string& listen = impl_->options.listen;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("listen address " + listen + ": expected HOST:PORT");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument("listen address " + listen +
                           ": the port is not a number from 0 to 65535");
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return InvalidArgument("listen address " + listen + ": \"" + host + "\" is not an IP address");
  tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + listen + ": " + ec.message());
  return Status::Ok();
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

Status HttpServer::Run() {
  Impl& s = *impl_;
  if (!s.acceptor.is_open()) return Internal("HttpServer::Run before Listen");
  s.signals.async_wait([&s](beast::error_code ec, int signal) {
    if (ec) return;
    LogInfo("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    s.BeginStop();
  });
  int threads = s.options.threads > 0
                    ? s.options.threads
                    : std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 1; i < threads; ++i) {
    s.workers.push_back(std::make_unique<asio::io_context>(1));
    s.worker_guards.push_back(asio::make_work_guard(*s.workers.back()));
  }
  asio::co_spawn(s.ioc, s.Accept(), asio::detached);
  asio::co_spawn(s.ioc, s.FlushLoop(), asio::detached);
  std::vector<std::thread> pool;
  for (auto& w : s.workers) pool.emplace_back([&w] { w->run(); });
  s.ioc.run();
  for (auto& t : pool) t.join();
  // Reads still running finish, and their answers (posted to the connections' threads) are
  // delivered before the contexts go.
  s.store_reads->join();
  s.ioc.restart();
  s.ioc.poll();
  for (auto& w : s.workers) {
    w->restart();
    w->poll();
  }
  if (s.access_log) s.access_log->Flush();
  return Status::Ok();
}

void HttpServer::Stop() { impl_->BeginStop(); }

}  // namespace mv::httpd
