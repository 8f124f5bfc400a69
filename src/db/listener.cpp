#include "db/listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <string>
#include <thread>

#include "db/database.h"
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

class SqliteChangeListener final : public Listener {
 public:
  explicit SqliteChangeListener(std::shared_ptr<Database> database)
      : database_(std::move(database)) {}

  Status Start() {
    MV_ASSIGN_OR_RETURN(lease_, database_->Acquire());
    MV_ASSIGN_OR_RETURN(version_, DataVersion());
    return Status::Ok();
  }

  Result<bool> Wait(std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      MV_ASSIGN_OR_RETURN(int64_t now_version, DataVersion());
      if (now_version != version_) {
        version_ = now_version;
        return true;
      }
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, kEvery));
    }
  }

 private:
  static constexpr std::chrono::milliseconds kEvery{50};
  Result<int64_t> DataVersion() {
    int64_t v = 0;
    MV_RETURN_IF_ERROR(lease_->Query("PRAGMA data_version", {}, [&](const Row& r) {
      v = r.Int(0);
      return Status::Ok();
    }));
    return v;
  }

  std::shared_ptr<Database> database_;
  ConnectionLease lease_;
  int64_t version_ = 0;
};

}  // namespace

Result<std::unique_ptr<Listener>> Listen(std::string_view url, std::string_view channel) {
  if (url.starts_with("sqlite:")) {
    MV_ASSIGN_OR_RETURN(std::shared_ptr<Database> database,
                        OpenDatabase(url, {.max_idle_connections = 1, .create = false}));
    auto listener = std::make_unique<SqliteChangeListener>(std::move(database));
    MV_RETURN_IF_ERROR(listener->Start());
    return std::unique_ptr<Listener>(std::move(listener));
  }
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return InvalidArgument("no notifications from " + RedactUrl(url));
  }
  auto listener = std::make_unique<PostgresListener>(std::string(url), std::string(channel));
  MV_RETURN_IF_ERROR(listener->Connect());
  return std::unique_ptr<Listener>(std::move(listener));
}

}  // namespace mv::db
