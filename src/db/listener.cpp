#include "db/listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <string>

#include "util/redact.h"

namespace mv::db {
namespace {

class PostgresListener final : public Listener {
 public:
  PostgresListener(std::string url, std::string channel)
      : url_(std::move(url)), channel_(std::move(channel)) {}
  ~PostgresListener() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  Status Connect() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      Status st = Unavailable("LISTEN on " + RedactUrl(url_) + ": " + PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      return st;
    }
    PGresult* r = PQexec(conn_, ("LISTEN " + channel_).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return Unavailable("LISTEN " + channel_ + ": " + PQerrorMessage(conn_));
    return Status::Ok();
  }

  Result<bool> Wait(std::chrono::milliseconds timeout) override {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) MV_RETURN_IF_ERROR(Connect());
    if (Drain()) return true;
    pollfd pfd{.fd = PQsocket(conn_), .events = POLLIN, .revents = 0};
    const int n = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (n <= 0) return false;
    if (PQconsumeInput(conn_) == 0) {
      Status st = Unavailable("LISTEN " + channel_ + ": " + PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      return st;
    }
    return Drain();
  }

 private:
  bool Drain() {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  }

  const std::string url_;
  const std::string channel_;
  PGconn* conn_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Listener>> Listen(std::string_view url, std::string_view channel) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return InvalidArgument("notifications need a PostgreSQL catalog, not " + RedactUrl(url));
  }
  auto listener = std::make_unique<PostgresListener>(std::string(url), std::string(channel));
  MV_RETURN_IF_ERROR(listener->Connect());
  return std::unique_ptr<Listener>(std::move(listener));
}

}  // namespace mv::db
