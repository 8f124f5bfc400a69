// A small synchronous Redis client on hiredis (the region cache's Redis state,
// regioncache/redis_copy_state.h, is its user): the redis:// URL, one connection (RAII over
// redisContext), its replies as values, and a pool of connections shared by threads.
//
// Errors: a connection that cannot be made or breaks (refused, reset, timed out) is Unavailable
// (retryable) naming the URL without its password; a wrong password is PermissionDenied; a
// NOSCRIPT reply (EVALSHA of a script the server does not have) is NotFound; a server busy or
// loading is Unavailable; any other error reply is Internal with the server's message.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

struct redisContext;

namespace mv::redis {

// redis://[[user]:password@]host[:port][/db]; the port defaults to 6379 and the database to 0.
struct RedisUrl {
  std::string host;
  uint16_t port = 6379;
  int db = 0;
  std::string user;      // Redis 6 ACL user; empty: AUTH with the password alone
  std::string password;  // a secret: never in messages (ToString leaves it out)

  // redis://host:port/db, without user or password: for messages and logs.
  std::string ToString() const;
};

// InvalidArgument (naming the URL without its password) for another scheme, no host, a path that
// is not one database number, a query, or a port of 0.
Result<RedisUrl> ParseRedisUrl(std::string_view text);

// A reply as a value. kError never appears: an error reply is returned as a Status.
struct RedisValue {
  enum class Type { kNil, kInteger, kString, kStatus, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;                   // kString, kStatus
  std::vector<RedisValue> elements;  // kArray
};

struct RedisConnectOptions {
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds command_timeout{2'000};
};

// One connection: connected, authenticated and on its database once Connect returns. Move-only;
// used by one thread at a time. After an Unavailable (the connection broke or timed out) it is
// closed, and only Connect again makes it usable.
class RedisConnection {
 public:
  RedisConnection() = default;
  ~RedisConnection();
  RedisConnection(RedisConnection&& other) noexcept;
  RedisConnection& operator=(RedisConnection&& other) noexcept;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  static Result<RedisConnection> Connect(const RedisUrl& url, const RedisConnectOptions& options);

  bool connected() const { return context_ != nullptr; }
  // Sends one command (binary-safe arguments) and reads its reply.
  Result<RedisValue> Command(std::span<const std::string> args);
  // Reads the next reply without sending anything (a subscriber's messages), waiting at most
  // `timeout`; Unavailable with a message containing "timed out" when nothing came, after which
  // the connection is closed.
  Result<RedisValue> Receive(std::chrono::milliseconds timeout);

 private:
  Status Broken(std::string_view what);  // closes the connection; the Unavailable to return
  redisContext* context_ = nullptr;
  RedisUrl url_;
  RedisConnectOptions options_;
};

// Up to `size` connections shared by threads; each is made when first needed and made again
// after it broke. Thread-safe.
class RedisPool {
 public:
  RedisPool(RedisUrl url, RedisConnectOptions options, int size);

  // Runs one command on a pooled connection. `idempotent`: a command that failed because a
  // pooled connection had broken meanwhile (a server restart) is sent once more on a new one.
  Result<RedisValue> Command(std::span<const std::string> args, bool idempotent);

  const RedisUrl& url() const { return url_; }
  const RedisConnectOptions& options() const { return options_; }

 private:
  RedisConnection Take() EXCLUDES(mu_);
  void Give(RedisConnection connection) EXCLUDES(mu_);

  const RedisUrl url_;
  const RedisConnectOptions options_;
  const int size_;
  util::Mutex mu_;
  std::condition_variable available_;  // signalled when a connection is given back
  std::vector<RedisConnection> idle_ GUARDED_BY(mu_);
  int out_ GUARDED_BY(mu_) = 0;  // connections taken
};

}  // namespace mv::redis
