#include "redis/redis_client.h"

#include <arpa/inet.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <cctype>
#include <charconv>
#include <utility>

#include "util/uri.h"

namespace mv::redis {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  if (d.count() < 1) d = std::chrono::milliseconds(1);
  return timeval{.tv_sec = static_cast<time_t>(d.count() / 1000),
                 .tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

// The one mapping of Redis error replies to Status.
Status ErrorReply(const RedisUrl& url, std::string_view command, std::string_view message) {
  const std::string what =
      url.ToString() + ": " + std::string(command) + ": " + std::string(message);
  if (message.starts_with("NOSCRIPT")) return NotFound(what);
  if (command == "AUTH" || message.starts_with("NOAUTH") || message.starts_with("WRONGPASS") ||
      message.starts_with("NOPERM") || message.find("invalid password") != std::string_view::npos) {
    return PermissionDenied(what + " (check the password in the redis:// URL)");
  }
  if (message.starts_with("LOADING") || message.starts_with("BUSY") ||
      message.starts_with("MASTERDOWN") || message.starts_with("TRYAGAIN") ||
      message.starts_with("READONLY")) {
    return Unavailable(what);
  }
  return Internal(what);
}

RedisValue ValueOf(const redisReply& r) {
  RedisValue v;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::kInteger;
      v.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      v.type = r.type == REDIS_REPLY_STRING ? RedisValue::Type::kString : RedisValue::Type::kStatus;
      v.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::kArray;
      v.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) v.elements.push_back(ValueOf(*r.element[i]));
      break;
    default:
      break;  // nil
  }
  return v;
}

// The first error reply anywhere in `r` (EVAL of a script may nest them), or null.
const redisReply* FindError(const redisReply& r) {
  if (r.type == REDIS_REPLY_ERROR) return &r;
  if (r.type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r.elements; ++i) {
      if (const redisReply* e = FindError(*r.element[i])) return e;
    }
  }
  return nullptr;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

std::string RedisUrl::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "redis://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" +
         std::to_string(db);
}

Result<RedisUrl> ParseRedisUrl(std::string_view text) {
  MV_ASSIGN_OR_RETURN(Uri uri, ParseUri(text));
  auto bad = [&](std::string_view why) {
    Uri shown = uri;
    shown.password.reset();
    return InvalidArgument("Redis URL " + shown.ToString() + ": " + std::string(why) +
                           " (expected redis://[:password@]host[:port][/db])");
  };
  if (uri.scheme != "redis") return bad("the scheme is not redis://");
  if (uri.host.empty()) return bad("no host");
  // A host name or an IP address: letters, digits, '-', '.', '_' (and ':' of an IPv6 literal).
  for (unsigned char c : uri.host) {
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '_' && c != ':') {
      return bad("the host is not a host name or an IP address");
    }
  }
  // A ':' only in an IPv6 literal, which must have been written in brackets ("%3a" in a name is
  // not one): ToString brackets such a host, and that must read back as the same address.
  if (in6_addr a6{};
      uri.host.find(':') != std::string::npos && inet_pton(AF_INET6, uri.host.c_str(), &a6) != 1) {
    return bad("the host is not a host name or an IP address");
  }
  if (!uri.query.empty()) return bad("no query parameters are understood");
  RedisUrl url;
  url.host = uri.host;
  if (uri.port) {
    if (*uri.port == 0) return bad("port 0");
    url.port = *uri.port;
  }
  url.user = uri.user.value_or("");
  url.password = uri.password.value_or("");
  if (!url.user.empty() && url.password.empty()) return bad("a user without a password");
  std::string_view path = uri.path;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) {
    int db = -1;
    auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
    if (ec != std::errc() || end != path.data() + path.size() || db < 0 || db > 65535) {
      return bad("the path is not a database number");
    }
    url.db = db;
  }
  return url;
}

RedisConnection::~RedisConnection() {
  if (context_ != nullptr) redisFree(context_);
}

RedisConnection::RedisConnection(RedisConnection&& other) noexcept
    : context_(std::exchange(other.context_, nullptr)),
      url_(std::move(other.url_)),
      options_(other.options_) {}

RedisConnection& RedisConnection::operator=(RedisConnection&& other) noexcept {
  if (this != &other) {
    if (context_ != nullptr) redisFree(context_);
    context_ = std::exchange(other.context_, nullptr);
    url_ = std::move(other.url_);
    options_ = other.options_;
  }
  return *this;
}

Status RedisConnection::Broken(std::string_view what) {
  std::string detail = context_ != nullptr && context_->errstr[0] != '\0'
                           ? std::string(context_->errstr)
                           : std::string("no reply");
  if (context_ != nullptr && context_->err == REDIS_ERR_IO &&
      (detail.find("temporarily unavailable") != std::string::npos ||
       detail.find("timed out") != std::string::npos)) {
    detail = "timed out";
  }
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
  return Unavailable("Redis at " + url_.ToString() + ": " + std::string(what) + ": " + detail);
}

Result<RedisConnection> RedisConnection::Connect(const RedisUrl& url,
                                                 const RedisConnectOptions& options) {
  RedisConnection c;
  c.url_ = url;
  c.options_ = options;
  c.context_ =
      redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(options.connect_timeout));
  if (c.context_ == nullptr) return Unavailable("Redis at " + url.ToString() + ": out of memory");
  if (c.context_->err != 0) {
    return c.Broken("cannot connect (is redis-server running there?)");
  }
  if (redisSetTimeout(c.context_, ToTimeval(options.command_timeout)) != REDIS_OK) {
    return c.Broken("cannot set the command timeout");
  }
  if (!url.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!url.user.empty()) auth.push_back(url.user);
    auth.push_back(url.password);
    MV_RETURN_IF_ERROR(c.Command(auth).status());
  }
  if (url.db != 0) {
    const std::string select[] = {"SELECT", std::to_string(url.db)};
    MV_RETURN_IF_ERROR(c.Command(select).status());
  }
  return c;
}

Result<RedisValue> RedisConnection::Command(std::span<const std::string> args) {
  if (context_ == nullptr) return Unavailable("Redis at " + url_.ToString() + ": not connected");
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argvlen.data())));
  const std::string name = args.empty() ? std::string() : args[0];
  if (reply == nullptr) return Broken(name);
  if (const redisReply* e = FindError(*reply)) {
    return ErrorReply(url_, name, std::string_view(e->str, e->len));
  }
  return ValueOf(*reply);
}

Result<RedisValue> RedisConnection::Receive(std::chrono::milliseconds timeout) {
  if (context_ == nullptr) return Unavailable("Redis at " + url_.ToString() + ": not connected");
  if (redisSetTimeout(context_, ToTimeval(timeout)) != REDIS_OK) {
    return Broken("cannot set the read timeout");
  }
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Broken("receive");
  ReplyPtr reply(static_cast<redisReply*>(raw));
  if (redisSetTimeout(context_, ToTimeval(options_.command_timeout)) != REDIS_OK) {
    return Broken("cannot set the command timeout");
  }
  if (const redisReply* e = FindError(*reply)) {
    return ErrorReply(url_, "receive", std::string_view(e->str, e->len));
  }
  return ValueOf(*reply);
}

RedisPool::RedisPool(RedisUrl url, RedisConnectOptions options, int size)
    : url_(std::move(url)), options_(options), size_(size < 1 ? 1 : size) {}

RedisConnection RedisPool::Take() {
  util::MutexLock lock(mu_);
  while (idle_.empty() && out_ >= size_) available_.wait(lock.native());
  ++out_;
  if (idle_.empty()) return RedisConnection();
  RedisConnection c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void RedisPool::Give(RedisConnection connection) {
  util::MutexLock lock(mu_);
  --out_;
  if (connection.connected()) idle_.push_back(std::move(connection));
  available_.notify_one();
}

Result<RedisValue> RedisPool::Command(std::span<const std::string> args, bool idempotent) {
  RedisConnection c = Take();
  Result<RedisValue> out = Unavailable("unreachable");
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = c.connected();
    if (!reused) {
      Result<RedisConnection> made = RedisConnection::Connect(url_, options_);
      if (!made.ok()) {
        out = made.status();
        break;
      }
      c = std::move(*made);
    }
    out = c.Command(args);
    // A pooled connection that broke while idle (a restarted server) fails its next command:
    // an idempotent one is sent again on a new connection.
    if (out.ok() || c.connected() || !reused || !idempotent) break;
  }
  Give(std::move(c));
  return out;
}

}  // namespace mv::redis
