// The server's byte path on a real socket: bodies read off the connection's thread in reads that
// grow while the store is the slower side, back-pressure from a client that does not read, a
// store failure before the headers (503 with Retry-After, the connection kept) and after them (a
// short body), and handlers that wait finishing without holding the connection thread. The
// server runs with one connection thread, so anything that blocked it would hang the test.
#include "httpd/http_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace mv::httpd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// Byte i of every test object.
char ByteAt(uint64_t i) { return static_cast<char>('a' + (i * 31 + i / 4096) % 26); }

// Objects made of ByteAt, by key and size; reads can be held, or fail from an offset on.
class FakeReader final : public BlobReader {
 public:
  struct ReadCall {
    uint64_t offset, length;
    std::thread::id thread;
  };

  Result<BlobBytes> Read(const BlobBody& blob, uint64_t offset, uint64_t length) override {
    std::unique_lock lock(mu_);
    calls_.push_back({offset, length, std::this_thread::get_id()});
    requested_ += length;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_.contains(blob.key); });
    if (auto it = fail_from_.find(blob.key); it != fail_from_.end() && offset >= it->second)
      return Unavailable("the fake store is down");
    lock.unlock();
    auto bytes = std::make_shared<std::string>(length, '\0');
    for (uint64_t i = 0; i < length; ++i) (*bytes)[i] = ByteAt(offset + i);
    std::string_view view(*bytes);
    return BlobBytes{std::move(bytes), view};
  }

  void Hold(const std::string& key) {
    std::lock_guard lock(mu_);
    held_.insert({key, true});
  }
  void Release(const std::string& key) {
    std::lock_guard lock(mu_);
    held_.erase(key);
    changed_.notify_all();
  }
  void FailFrom(const std::string& key, uint64_t offset) {
    std::lock_guard lock(mu_);
    fail_from_[key] = offset;
  }
  void WaitForCalls(size_t n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return calls_.size() >= n; });
  }
  std::vector<ReadCall> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  uint64_t requested() {
    std::lock_guard lock(mu_);
    return requested_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<ReadCall> calls_;
  uint64_t requested_ = 0;
  std::map<std::string, bool> held_;
  std::map<std::string, uint64_t> fail_from_;
};

constexpr uint64_t kFirstRead = 64 * 1024;
constexpr uint64_t kMaxRead = 256 * 1024;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 1;  // one connection thread: blocking it would hang the other requests
    options.store_threads = 4;
    options.first_read = kFirstRead;
    options.max_read = kMaxRead;
    options.stream_chunk = 16 * 1024;
    options.blocking_threads = 2;
    Configure(options);
    server_ = std::make_unique<HttpServer>(
        options, [this](const Request& r) { return Handle(r); }, &reader_, nullptr, nullptr);
    ASSERT_TRUE(server_->Listen().ok());
    thread_ = std::thread([this] { EXPECT_TRUE(server_->Run().ok()); });
  }
  void TearDown() override {
    finish_released_ = true;
    reader_.Release("slow");
    server_->Stop();
    thread_.join();
  }

  virtual void Configure(HttpServerOptions& /*options*/) {}

  // /blob/<key>/<size>[/<offset>/<length>], /hello, /wait (finishes when released).
  Response Handle(const Request& request) {
    handler_thread_ = std::this_thread::get_id();
    if (request.target == "/hello") return TextResponse(200, "hello");
    if (request.target == "/wait") {
      Response later;
      later.finish = [this] {
        finish_thread_ = std::this_thread::get_id();
        while (!finish_released_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return TextResponse(200, "waited");
      };
      return later;
    }
    std::vector<std::string> parts;
    std::string part;
    for (char c : request.target.substr(1) + "/") {
      if (c == '/') {
        parts.push_back(part);
        part.clear();
      } else {
        part += c;
      }
    }
    Response r;
    const uint64_t size = std::stoull(parts.at(2));
    r.blob = BlobBody{parts.at(1), 0, size, size};
    if (parts.size() >= 5 && !parts[3].empty()) {
      r.blob->offset = std::stoull(parts[3]);
      r.blob->length = std::stoull(parts[4]);
    }
    return r;
  }

  tcp::socket Connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    timeval tv{.tv_sec = 20, .tv_usec = 0};  // a hang fails the test instead of stalling it
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return socket;
  }

  void Send(tcp::socket& socket, const std::string& target) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "test");
    bhttp::write(socket, req);
  }

  // The response, or the error that ended it (beast's partial message when the body was short).
  struct Got {
    bhttp::response<bhttp::string_body> response;
    beast::error_code error;
  };
  Got Receive(tcp::socket& socket) {
    Got got;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 32);
    bhttp::read(socket, buffer_, parser, got.error);
    got.response = parser.release();
    return got;
  }
  Got Fetch(tcp::socket& socket, const std::string& target) {
    Send(socket, target);
    return Receive(socket);
  }

  static std::string Expected(uint64_t offset, uint64_t length) {
    std::string s(length, '\0');
    for (uint64_t i = 0; i < length; ++i) s[i] = ByteAt(offset + i);
    return s;
  }

  asio::io_context io_;
  beast::flat_buffer buffer_;
  FakeReader reader_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::atomic<std::thread::id> handler_thread_;
  std::atomic<std::thread::id> finish_thread_;
  std::atomic<bool> finish_released_{false};
};

TEST_F(HttpServerTest, ASmallBodyIsOneReadOffTheConnectionThread) {
  tcp::socket socket = Connect();
  Got got = Fetch(socket, "/blob/small/1000");
  ASSERT_FALSE(got.error) << got.error.message();
  EXPECT_EQ(got.response.result_int(), 200);
  EXPECT_EQ(got.response.body(), Expected(0, 1000));
  std::vector<FakeReader::ReadCall> calls = reader_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].length, 1000u);
  EXPECT_NE(calls[0].thread, handler_thread_.load());
}

TEST_F(HttpServerTest, ALargeBodyComesInContiguousBoundedReadsOffTheConnectionThread) {
  const uint64_t size = 3 * 1024 * 1024 + 12345;
  tcp::socket socket = Connect();
  Got got = Fetch(socket, "/blob/large/" + std::to_string(size));
  ASSERT_FALSE(got.error) << got.error.message();
  ASSERT_EQ(got.response.body().size(), size);
  EXPECT_TRUE(got.response.body() == Expected(0, size));
  std::vector<FakeReader::ReadCall> calls = reader_.calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0].offset, 0u);
  EXPECT_EQ(calls[0].length, kFirstRead);
  std::sort(calls.begin(), calls.end(), [](auto& a, auto& b) { return a.offset < b.offset; });
  uint64_t next = 0;
  for (const auto& c : calls) {
    EXPECT_EQ(c.offset, next);
    EXPECT_LE(c.length, kMaxRead);
    EXPECT_NE(c.thread, handler_thread_.load());
    next = c.offset + c.length;
  }
  EXPECT_EQ(next, size);
}

TEST_F(HttpServerTest, APartOfALargeBodyIsReadFromItsOffset) {
  tcp::socket socket = Connect();
  Got got = Fetch(socket, "/blob/part/10000000/5000000/700000");
  ASSERT_FALSE(got.error) << got.error.message();
  EXPECT_TRUE(got.response.body() == Expected(5000000, 700000));
  for (const auto& c : reader_.calls()) {
    EXPECT_GE(c.offset, 5000000u);
    EXPECT_LE(c.offset + c.length, 5700000u);
  }
}

TEST_F(HttpServerTest, AStoreDownBeforeTheHeadersIs503WithRetryAfterAndTheConnectionLives) {
  reader_.FailFrom("down", 0);
  tcp::socket socket = Connect();
  Got got = Fetch(socket, "/blob/down/5000000");
  ASSERT_FALSE(got.error) << got.error.message();
  EXPECT_EQ(got.response.result_int(), 503);
  EXPECT_EQ(got.response[bhttp::field::retry_after], "5");
  Got again = Fetch(socket, "/hello");
  ASSERT_FALSE(again.error) << again.error.message();
  EXPECT_EQ(again.response.body(), "hello\n");
}

TEST_F(HttpServerTest, AStoreDownAfterTheHeadersEndsTheBodyShort) {
  reader_.FailFrom("torn", 1024 * 1024);
  tcp::socket socket = Connect();
  Got got = Fetch(socket, "/blob/torn/3000000");
  EXPECT_TRUE(got.error);  // the connection closed short of Content-Length
  EXPECT_EQ(got.response.result_int(), 200);
  EXPECT_LT(got.response.body().size(), 3000000u);
}

TEST_F(HttpServerTest, ASlowStoreHoldsNoConnectionThread) {
  reader_.Hold("slow");
  tcp::socket waiting = Connect();
  Send(waiting, "/blob/slow/2000000");
  reader_.WaitForCalls(1);
  tcp::socket other = Connect();
  Got hello = Fetch(other, "/hello");  // answered while the store read is held
  ASSERT_FALSE(hello.error) << hello.error.message();
  EXPECT_EQ(hello.response.body(), "hello\n");
  Got small = Fetch(other, "/blob/quick/100");
  ASSERT_FALSE(small.error);
  EXPECT_EQ(small.response.body(), Expected(0, 100));
  reader_.Release("slow");
  Got slow = Receive(waiting);
  ASSERT_FALSE(slow.error) << slow.error.message();
  EXPECT_TRUE(slow.response.body() == Expected(0, 2000000));
}

TEST_F(HttpServerTest, AClientThatDoesNotReadMakesTheServerReadOnlyALittleAhead) {
  const uint64_t size = 256ull * 1024 * 1024;
  tcp::socket socket = Connect();
  Send(socket, "/blob/huge/" + std::to_string(size));
  // The reader could deliver all 256 MiB in far less than this; only what the socket buffers
  // hold plus the reads ahead may have been asked for.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const uint64_t requested = reader_.requested();
  EXPECT_LT(requested, 32ull * 1024 * 1024) << requested;
  Got got = Receive(socket);
  ASSERT_FALSE(got.error) << got.error.message();
  ASSERT_EQ(got.response.body().size(), size);
  EXPECT_TRUE(got.response.body().compare(size - 1000, 1000, Expected(size - 1000, 1000)) == 0);
}

TEST_F(HttpServerTest, AHandlerThatWaitsFinishesOffTheConnectionThread) {
  tcp::socket waiting = Connect();
  Send(waiting, "/wait");
  while (finish_thread_.load() == std::thread::id()) std::this_thread::yield();
  tcp::socket other = Connect();
  Got hello = Fetch(other, "/hello");
  ASSERT_FALSE(hello.error) << hello.error.message();
  EXPECT_NE(finish_thread_.load(), handler_thread_.load());
  finish_released_ = true;
  Got waited = Receive(waiting);
  ASSERT_FALSE(waited.error) << waited.error.message();
  EXPECT_EQ(waited.response.body(), "waited\n");
}

// Short timeouts: a request must be read within 300 ms of its first byte; a kept-alive connection
// may wait 1.5 s for its next request.
class HttpServerTimeoutTest : public HttpServerTest {
 protected:
  void Configure(HttpServerOptions& options) override {
    options.read_timeout = std::chrono::milliseconds(300);
    options.keepalive_timeout = std::chrono::milliseconds(1500);
  }

  // Whether the server closed `socket` within `within` (a read sees the end of the stream).
  static bool ClosedWithin(tcp::socket& socket, std::chrono::milliseconds within) {
    timeval tv{.tv_sec = within.count() / 1000,
               .tv_usec = static_cast<suseconds_t>(within.count() % 1000 * 1000)};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte;
    beast::error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
};

TEST_F(HttpServerTimeoutTest, AKeptAliveConnectionWaitsLongerThanTheReadTimeout) {
  tcp::socket socket = Connect();
  Got first = Fetch(socket, "/hello");
  ASSERT_FALSE(first.error) << first.error.message();
  // A client draining a large response before its next request is idle, not slow.
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  Got second = Fetch(socket, "/hello");
  ASSERT_FALSE(second.error) << second.error.message();
  EXPECT_EQ(second.response.body(), "hello\n");
}

TEST_F(HttpServerTimeoutTest, AnIdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeout) {
  tcp::socket socket = Connect();
  ASSERT_FALSE(Fetch(socket, "/hello").error);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedWithin(socket, std::chrono::milliseconds(5000)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1200));
}

TEST_F(HttpServerTimeoutTest, ARequestStartedButNotFinishedIsCutAtTheReadTimeout) {
  tcp::socket socket = Connect();
  ASSERT_FALSE(Fetch(socket, "/hello").error);
  // The next request's first bytes come, its headers never end: read_timeout, not keep-alive.
  asio::write(socket, asio::buffer(std::string_view("GET /hello HTTP/1.1\r\nHost: t")));
  EXPECT_TRUE(ClosedWithin(socket, std::chrono::milliseconds(1200)));
}

TEST_F(HttpServerTimeoutTest, ASilentNewConnectionIsClosedAtTheReadTimeout) {
  tcp::socket socket = Connect();
  EXPECT_TRUE(ClosedWithin(socket, std::chrono::milliseconds(1200)));
}

}  // namespace
}  // namespace mv::httpd
