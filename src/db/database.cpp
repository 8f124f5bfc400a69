// The backend-independent parts of the SQL seam: values, leases, transactions, and the one place
// that knows every backend (OpenDatabase).
#include "db/database.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "db/postgres_database.h"
#include "db/sqlite_database.h"
#include "util/redact.h"

namespace mv::db {
namespace {

// WithTransaction's backoff: uniform in [0, min(kMaxDelay, kBaseDelay * 2^(attempt-1))]. Short,
// because the conflicts it waits out (a busy SQLite file, a PostgreSQL serialization failure)
// last as long as one transaction.
constexpr std::chrono::milliseconds kBaseDelay{5};
constexpr std::chrono::milliseconds kMaxDelay{200};

std::chrono::milliseconds TransactionBackoff(int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t cap = kBaseDelay.count() << std::min(attempt - 1, 16);
  cap = std::min<int64_t>(cap, kMaxDelay.count());
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, cap)(rng));
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return "sqlite";
    case Dialect::kPostgres:
      return "postgresql";
  }
  return "unknown";
}

Value Row::Get(size_t column) const {
  switch (Type(column)) {
    case ValueType::kNull:
      return nullptr;
    case ValueType::kInteger:
      return Int(column);
    case ValueType::kText:
      return Text(column);
    case ValueType::kBytes:
      return Bytes{Blob(column)};
  }
  return nullptr;
}

Result<std::vector<std::vector<Value>>> Connection::QueryAll(std::string_view sql,
                                                             std::span<const Value> params) {
  std::vector<std::vector<Value>> rows;
  MV_RETURN_IF_ERROR(Query(sql, params, [&rows](const Row& row) {
    std::vector<Value> values;
    values.reserve(row.size());
    for (size_t i = 0; i < row.size(); ++i) values.push_back(row.Get(i));
    rows.push_back(std::move(values));
    return Status::Ok();
  }));
  return rows;
}

ConnectionLease::ConnectionLease(std::unique_ptr<Connection> connection,
                                 std::function<void(std::unique_ptr<Connection>)> give_back)
    : connection_(std::move(connection)), give_back_(std::move(give_back)) {}

ConnectionLease::ConnectionLease(ConnectionLease&& other) noexcept
    : connection_(std::move(other.connection_)), give_back_(std::move(other.give_back_)) {}

ConnectionLease& ConnectionLease::operator=(ConnectionLease&& other) noexcept {
  if (this != &other) {
    Release();
    connection_ = std::move(other.connection_);
    give_back_ = std::move(other.give_back_);
  }
  return *this;
}

ConnectionLease::~ConnectionLease() { Release(); }

void ConnectionLease::Release() {
  std::unique_ptr<Connection> connection = std::move(connection_);
  auto give_back = std::move(give_back_);
  give_back_ = nullptr;
  if (connection == nullptr) return;
  if (connection->InTransaction()) {
    // A connection whose transaction cannot be ended is not handed to the next borrower.
    if (!connection->Rollback().ok() || connection->InTransaction()) return;
  }
  if (give_back) give_back(std::move(connection));
}

Status WithTransaction(Connection& connection, TransactionMode mode,
                       const std::function<Status(Connection&)>& fn, int max_attempts) {
  max_attempts = std::max(max_attempts, 1);
  for (int attempt = 1;; ++attempt) {
    Status status = connection.Begin(mode);
    if (status.ok()) {
      try {
        status = fn(connection);
      } catch (...) {
        if (connection.InTransaction()) connection.Rollback().IgnoreError();
        throw;
      }
      if (status.ok()) status = connection.Commit();
      if (!status.ok() && connection.InTransaction()) connection.Rollback().IgnoreError();
    }
    if (status.ok()) return status;
    if (!status.retryable() || attempt >= max_attempts) {
      if (attempt == 1) return status;
      return status.WithContext("transaction failed after " + std::to_string(attempt) +
                                " attempts");
    }
    std::this_thread::sleep_for(TransactionBackoff(attempt));
  }
}

Result<std::shared_ptr<Database>> OpenDatabase(std::string_view url,
                                               const DatabaseOptions& options) {
  if (StartsWithNoCase(url, "sqlite:")) return OpenSqliteDatabase(url, options);
  if (StartsWithNoCase(url, "postgresql://") || StartsWithNoCase(url, "postgres://")) {
    return OpenPostgresDatabase(url, options);
  }
  return InvalidArgument("database URL \"" + RedactUrl(url) +
                         "\": unknown kind (write sqlite:///path/catalog.db, sqlite::memory: or "
                         "postgresql://user@host:port/dbname)");
}

Status CheckDatabaseFolder(std::string_view url) {
  if (!StartsWithNoCase(url, "sqlite:")) return Status::Ok();
  return CheckSqliteFolder(url);
}

}  // namespace mv::db
