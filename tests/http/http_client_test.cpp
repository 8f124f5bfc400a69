// The curl HttpClient against a small loopback HTTP/1.1 server in this test: many transfers in
// flight from many threads over reused connections, request bodies, streamed responses, error
// bodies, and transport failures mapped to retryable statuses.
#include "http/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "http/http_date.h"
#include "http/retry_policy.h"

namespace mv::http {
namespace {

// Answers "GET /echo-size/N" with N bytes, "PUT /upload" with the SHA-less length of the body,
// "GET /missing" with 404 and a body; keeps connections alive.
class LoopbackServer {
 public:
  LoopbackServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 128);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~LoopbackServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    std::lock_guard lock(mu_);
    for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    for (auto& t : connections_) t.join();
    for (int fd : open_) ::close(fd);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int accepted() const { return accepted_.load(); }
  int closed_by_client() const { return closed_.load(); }

 private:
  void Accept() {
    for (;;) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      if (stopping_) {
        ::close(fd);
        return;
      }
      accepted_++;
      std::lock_guard lock(mu_);
      open_.push_back(fd);
      connections_.emplace_back([this, fd] { Serve(fd); });
    }
  }
  void Serve(int fd) {
    struct CountClose {
      std::atomic<int>& n;
      ~CountClose() { n++; }
    } count_close{closed_};
    std::string buf;
    char chunk[65536];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);
      size_t content_length = 0;
      if (size_t cl = head.find("Content-Length: "); cl != std::string::npos) {
        content_length = std::stoul(head.substr(cl + 16));
      }
      while (buf.size() < content_length) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0) return;
        buf.append(chunk, static_cast<size_t>(n));
      }
      std::string body = buf.substr(0, content_length);
      buf.erase(0, content_length);
      std::string method = head.substr(0, head.find(' '));
      std::string path =
          head.substr(method.size() + 1, head.find(' ', method.size() + 1) - method.size() - 1);
      int status = 200;
      std::string out;
      if (path.starts_with("/echo-size/")) {
        out.assign(std::stoul(path.substr(11)), 'x');
      } else if (path == "/upload") {
        out = std::to_string(body.size()) + ":" + body.substr(0, 16);
      } else {
        status = 404;
        out = "<Error><Code>NoSuchKey</Code></Error>";
      }
      std::string response = "HTTP/1.1 " + std::to_string(status) +
                             (status == 200 ? " OK" : " Not Found") +
                             "\r\nContent-Length: " + std::to_string(out.size()) +
                             "\r\nX-Test: yes\r\n\r\n" + (method == "HEAD" ? "" : out);
      if (::write(fd, response.data(), response.size()) < 0) return;
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_;
  std::vector<std::thread> connections_;
};

TEST(HttpClientTest, ManyTransfersFromManyThreadsReuseConnections) {
  LoopbackServer server;
  auto client = MakeCurlHttpClient({.max_connections_per_host = 8, .max_connections = 8});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        size_t size = static_cast<size_t>(t * 100 + i);
        auto r = client->Send({.url = server.Url("/echo-size/" + std::to_string(size))});
        if (r.ok() && r->status == 200 && r->body == std::string(size, 'x') &&
            FindHeader(r->headers, "X-TEST") == "yes") {
          ok++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_LE(server.accepted(), 8) << "connections were not reused";
}

TEST(HttpClientTest, AQuietClientClosesItsKeptConnections) {
  LoopbackServer server;
  auto client = MakeCurlHttpClient({.idle_close = std::chrono::seconds(1), .loops = 1});
  Request get{.method = Method::kGet, .url = server.Url("/echo-size/10")};
  ASSERT_TRUE(client->Send(get).ok());
  ASSERT_TRUE(client->Send(get).ok());
  EXPECT_EQ(server.accepted(), 1) << "the second request should reuse the kept connection";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.closed_by_client() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(server.closed_by_client(), 1) << "the idle connection was kept open";
  // The client still works afterwards, on a new connection.
  Result<Response> again = client->Send(get);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->body.size(), 10u);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpClientTest, UploadsBodiesAndStreamsResponses) {
  LoopbackServer server;
  auto client = MakeCurlHttpClient();
  std::string payload(3 << 20, 'p');
  payload.replace(0, 5, "start");
  auto body = MakeStringReader(payload);
  auto r = client->Send({.method = Method::kPut, .url = server.Url("/upload"), .body = body.get()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, std::to_string(payload.size()) + ":startppppppppppp");

  std::string streamed;
  auto sink = MakeStringWriter(&streamed);
  auto g = client->Send({.url = server.Url("/echo-size/1000000"), .sink = sink.get()});
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->body.empty());
  EXPECT_EQ(g->body_bytes, 1000000u);
  EXPECT_EQ(streamed.size(), 1000000u);

  // Error bodies are buffered, never streamed into the sink.
  std::string untouched;
  auto sink2 = MakeStringWriter(&untouched);
  auto missing = client->Send({.url = server.Url("/missing"), .sink = sink2.get()});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("NoSuchKey"), std::string::npos);
  EXPECT_TRUE(untouched.empty());

  auto head = client->Send({.method = Method::kHead, .url = server.Url("/echo-size/77")});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(FindHeader(head->headers, "content-length"), "77");
}

TEST(HttpClientTest, SinkErrorsAbortTheTransferWithTheSinksStatus) {
  LoopbackServer server;
  auto client = MakeCurlHttpClient();
  class FailingWriter final : public Writer {
   public:
    Status Write(std::string_view) override { return PermissionDenied("disk says no"); }
  } failing;
  auto r = client->Send({.url = server.Url("/echo-size/100000"), .sink = &failing});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message(), "disk says no");
}

TEST(HttpClientTest, TransportFailuresAreRetryableAndNameTheUrlWithoutSecrets) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);  // a port nobody listens on
  auto client = MakeCurlHttpClient();
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) +
                    "/k?X-Amz-Signature=topsecret&x=1";
  auto r = client->Send({.url = url});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_NE(r.status().message().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status().message();

  auto bad = client->Send({.url = "htp:/nonsense"});
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad.status().retryable());
}

TEST(HttpStatusTest, MapsStatusesToCodes) {
  EXPECT_EQ(StatusFromHttp(404, "GET x").code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusFromHttp(412, "PUT x").code(), StatusCode::kPreconditionFailed);
  EXPECT_EQ(StatusFromHttp(403, "GET x").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(StatusFromHttp(503, "GET x").retryable());
  EXPECT_TRUE(StatusFromHttp(429, "GET x").retryable());
  EXPECT_FALSE(StatusFromHttp(400, "GET x").retryable());
  EXPECT_EQ(StatusFromHttp(416, "GET x").code(), StatusCode::kInvalidArgument);
  EXPECT_NE(StatusFromHttp(500, "GET s3://b/k", "SlowDown").message().find("s3://b/k"),
            std::string::npos);
}

TEST(RetryPolicyTest, RetriesOnlyRetryableFailuresWithCappedBackoff) {
  ManualClock clock;  // records the sleeps without waiting
  RetryPolicy policy{.max_attempts = 5,
                     .base_delay = std::chrono::milliseconds(100),
                     .max_delay = std::chrono::milliseconds(250),
                     .clock = &clock};
  int calls = 0;
  Status st = RunWithRetries(policy, [&](int) {
    ++calls;
    return calls < 3 ? Unavailable("flaky") : Status::Ok();
  });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(clock.sleeps().size(), 2u);

  calls = 0;
  ManualClock second_clock;
  policy.clock = &second_clock;
  st = RunWithRetries(policy, [&](int) {
    ++calls;
    return Unavailable("down");
  });
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(st.message(), "gave up after 5 attempts: down");
  for (auto d : second_clock.sleeps()) EXPECT_LE(d, std::chrono::milliseconds(250));

  calls = 0;
  st = RunWithRetries(policy, [&](int) {
    ++calls;
    return NotFound("gone");
  });
  EXPECT_EQ(calls, 1) << "a permanent failure was retried";
  EXPECT_TRUE(st.IsNotFound());
}

TEST(RetryPolicyTest, BackoffGrowsAndIsCapped) {
  RetryPolicy policy{.base_delay = std::chrono::milliseconds(100),
                     .max_delay = std::chrono::milliseconds(1000)};
  int64_t max_seen_1 = 0, max_seen_5 = 0;
  for (int i = 0; i < 2000; ++i) {
    max_seen_1 = std::max(max_seen_1, static_cast<int64_t>(BackoffDelay(policy, 1).count()));
    max_seen_5 = std::max(max_seen_5, static_cast<int64_t>(BackoffDelay(policy, 5).count()));
  }
  EXPECT_LE(max_seen_1, 100);
  EXPECT_GT(max_seen_1, 50) << "no jitter range";
  EXPECT_LE(max_seen_5, 1000);
  EXPECT_GT(max_seen_5, 800);
}

TEST(HttpDateTest, RoundTripsAndRejectsGarbage) {
  auto t = ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 784111777);
  EXPECT_EQ(FormatHttpDate(*t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_FALSE(ParseHttpDate("yesterday").ok());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT trailing").ok());
}

}  // namespace
}  // namespace mv::http
