// The PostgreSQL backend on libpq: one PGconn per pooled connection, statements prepared once per
// connection (named, by SQL text and parameter types), text-format parameters except bytea
// (binary format), text-format results.
#include "db/postgres_database.h"

#include <libpq-fe.h>

#include <charconv>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/connection_pool.h"
#include "db/statement_text.h"
#include "util/redact.h"

namespace mv::db {
namespace {

// Type OIDs (src/include/catalog/pg_type.dat; stable across releases).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kNumericOid = 1700;

// Statements kept prepared per connection; beyond this, the unnamed statement is used.
constexpr size_t kMaxCachedStatements = 512;
// libpq waits forever by default; a URL's own connect_timeout overrides this.
constexpr const char* kConnectTimeoutS = "10";

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnHandle = std::unique_ptr<PGconn, PgConnCloser>;

struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultHandle = std::unique_ptr<PGresult, PgResultClearer>;

struct PgFreer {
  void operator()(void* p) const { PQfreemem(p); }
};
using PgBuffer = std::unique_ptr<unsigned char, PgFreer>;

struct ConninfoFreer {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoHandle = std::unique_ptr<PQconninfoOption, ConninfoFreer>;

std::string TrimMessage(std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  return std::string(message);
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The one mapping of PostgreSQL's SQLSTATE codes (and of libpq's own failures, given the
// SQLSTATE they stand for) to Status.
// `reported`: the server sent `sqlstate` (it is then quoted in the message).
Status PostgresStatus(std::string_view sqlstate, std::string_view library_message,
                      std::string_view where, std::string_view sql, bool reported = true) {
  std::string what = TrimMessage(library_message);
  if (reported && !sqlstate.empty()) what += " [SQLSTATE " + std::string(sqlstate) + "]";
  std::string message = StatementMessage(where, what, sql);
  std::string_view cls = sqlstate.substr(0, 2);
  if (sqlstate == "23505") return AlreadyExists(std::move(message));
  if (sqlstate == "23503") return PreconditionFailed(std::move(message));
  if (cls == "23" || cls == "22") return InvalidArgument(std::move(message));
  if (sqlstate == "40001" || sqlstate == "40P01") return Unavailable(std::move(message));
  if (sqlstate == "08P01") return Internal(std::move(message));  // protocol violation: our bug
  if (cls == "08") return Unavailable(std::move(message));
  // Too many connections, out of memory or disk; the server shutting down or starting; lock
  // timeouts and cancelled statements: worth trying again.
  if (cls == "53" || cls == "57" || sqlstate == "55P03") return Unavailable(std::move(message));
  if (cls == "28" || sqlstate == "42501") return PermissionDenied(std::move(message));
  if (sqlstate == "3D000" || sqlstate == "3F000") return NotFound(std::move(message));
  if (cls == "42") return InvalidArgument(std::move(message));
  if (cls == "XX") return Corruption(std::move(message));
  return Internal(std::move(message));
}

// libpq gives no SQLSTATE for a failed connection attempt: the one it stands for, from libpq's
// predicates and the server's message.
std::string ConnectFailureSqlstate(PGconn* conn) {
  std::string_view message = PQerrorMessage(conn);
  auto has = [&](std::string_view part) { return message.find(part) != std::string_view::npos; };
  if (PQconnectionNeedsPassword(conn) || has("password authentication failed") ||
      has("authentication failed") || has("no pg_hba.conf entry") || has("no password supplied")) {
    return "28P01";
  }
  // libpq's own check of option values ("invalid integer value ... for connection option").
  if (has("invalid") && has("option")) return "22023";
  if (has("role \"") && has("does not exist")) return "28000";
  if (has("database \"") && has("does not exist")) return "3D000";
  return "08001";
}

// The failure a statement's result (or its absence) reports; OK for success.
Status ResultStatus(PGconn* conn, const PGresult* result, std::string_view where,
                    std::string_view sql) {
  bool broken = PQstatus(conn) != CONNECTION_OK;
  if (result == nullptr) {
    return PostgresStatus(broken ? "08006" : "", PQerrorMessage(conn), where, sql,
                          /*reported=*/false);
  }
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string_view message = primary != nullptr ? primary : PQresultErrorMessage(result);
  if (message.empty()) message = PQresStatus(status);
  if (sqlstate == nullptr) {
    return PostgresStatus(broken ? "08006" : "", message, where, sql, /*reported=*/false);
  }
  return PostgresStatus(sqlstate, message, where, sql);
}

bool ParseInt64(std::string_view text, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

class PostgresRow final : public Row {
 public:
  PostgresRow(const PGresult* result, int row) : result_(result), row_(row) {}

  size_t size() const override { return static_cast<size_t>(PQnfields(result_)); }
  bool IsNull(size_t column) const override {
    return PQgetisnull(result_, row_, Index(column)) != 0;
  }

  ValueType Type(size_t column) const override {
    if (IsNull(column)) return ValueType::kNull;
    switch (PQftype(result_, Index(column))) {
      case kBoolOid:
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kOidOid:
        return ValueType::kInteger;
      case kByteaOid:
        return ValueType::kBytes;
      case kNumericOid: {
        int64_t v = 0;
        return ParseInt64(Raw(column), &v) ? ValueType::kInteger : ValueType::kText;
      }
      default:
        return ValueType::kText;
    }
  }

  int64_t Int(size_t column) const override {
    Oid type = CheckNotNull(column, "an integer");
    if (type == kByteaOid) Throw(column, "holds bytes, not an integer");
    std::string_view text = Raw(column);
    if (type == kBoolOid) return text == "t" ? 1 : 0;
    int64_t v = 0;
    if (!ParseInt64(text, &v))
      Throw(column, "holds \"" + StatementHead(text) + "\", not an integer");
    return v;
  }

  std::string Text(size_t column) const override {
    Oid type = CheckNotNull(column, "text");
    if (type == kByteaOid) Throw(column, "holds bytes (BYTEA), not text");
    if (type == kBoolOid) return Raw(column) == "t" ? "1" : "0";
    return std::string(Raw(column));
  }

  std::string Blob(size_t column) const override {
    Oid type = CheckNotNull(column, "bytes");
    if (type != kByteaOid) Throw(column, "is not bytes (BYTEA)");
    size_t n = 0;
    PgBuffer data(PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, Index(column))), &n));
    if (data == nullptr) throw std::bad_alloc();
    return std::string(reinterpret_cast<const char*>(data.get()), n);
  }

 private:
  [[noreturn]] void Throw(size_t column, const std::string& what) const {
    std::string name = "?";
    if (column < size()) name = PQfname(result_, static_cast<int>(column));
    throw std::logic_error("column " + std::to_string(column) + " (\"" + name + "\") " + what);
  }
  int Index(size_t column) const {
    if (column >= size()) {
      Throw(column, "does not exist: the row has " + std::to_string(size()) + " columns");
    }
    return static_cast<int>(column);
  }
  Oid CheckNotNull(size_t column, std::string_view wanted) const {
    if (IsNull(column)) Throw(column, "is NULL, not " + std::string(wanted));
    return PQftype(result_, Index(column));
  }
  std::string_view Raw(size_t column) const {
    int i = Index(column);
    return {PQgetvalue(result_, row_, i), static_cast<size_t>(PQgetlength(result_, row_, i))};
  }

  const PGresult* result_;
  int row_;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PgConnHandle conn, std::string where)
      : conn_(std::move(conn)), where_(std::move(where)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) override {
    MV_ASSIGN_OR_RETURN(PgResultHandle result, Run(sql, params));
    // PQcmdTuples also counts the rows a SELECT returned: only changes are counted here.
    std::string_view command = PQcmdStatus(result.get());
    if (!StartsWith(command, "INSERT") && !StartsWith(command, "UPDATE") &&
        !StartsWith(command, "DELETE") && !StartsWith(command, "MERGE")) {
      return int64_t{0};
    }
    int64_t n = 0;
    return ParseInt64(PQcmdTuples(result.get()), &n) ? n : 0;
  }

  Status Query(std::string_view sql, std::span<const Value> params,
               const std::function<Status(const Row&)>& visit) override {
    MV_ASSIGN_OR_RETURN(PgResultHandle result, Run(sql, params));
    int rows = PQntuples(result.get());
    for (int i = 0; i < rows; ++i) {
      MV_RETURN_IF_ERROR(visit(PostgresRow(result.get(), i)));
    }
    return Status::Ok();
  }

  Status ExecuteScript(std::string_view sql) override {
    PgResultHandle result(PQexec(conn_.get(), std::string(sql).c_str()));
    if (result != nullptr && PQresultStatus(result.get()) == PGRES_EMPTY_QUERY) return Status::Ok();
    return Remember(ResultStatus(conn_.get(), result.get(), where_, sql));
  }

  Status Begin(TransactionMode) override {
    if (InTransaction()) {
      return InvalidArgument(where_ + ": Begin: a transaction is already open on this connection");
    }
    return Command("BEGIN");
  }

  Status Commit() override {
    if (!InTransaction()) return InvalidArgument(where_ + ": Commit: no transaction is open");
    if (PQtransactionStatus(conn_.get()) == PQTRANS_INERROR) {
      // The server would answer COMMIT with ROLLBACK and no error: say so instead.
      Status earlier = last_error_.ok() ? Internal("a statement failed") : last_error_;
      MV_RETURN_IF_ERROR(Command("ROLLBACK"));
      return earlier.WithContext(where_ + ": Commit refused, the transaction was rolled back: " +
                                 "one of its statements failed");
    }
    return Command("COMMIT");
  }

  Status Rollback() override {
    if (!InTransaction()) return Status::Ok();
    return Command("ROLLBACK");
  }

  bool InTransaction() const override {
    PGTransactionStatusType status = PQtransactionStatus(conn_.get());
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
  }

  // Fit to be handed to the next borrower: connected and outside any transaction.
  bool Healthy() const {
    return PQstatus(conn_.get()) == CONNECTION_OK &&
           PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
  }

 private:
  struct Prepared {
    std::string name;
    int parameters = 0;  // as the server counted them
  };

  Status Remember(Status status) {
    if (!status.ok()) last_error_ = status;
    return status;
  }

  Status Command(const char* sql) {
    PgResultHandle result(PQexec(conn_.get(), sql));
    return Remember(ResultStatus(conn_.get(), result.get(), where_, sql));
  }

  // The statement prepared for `sql` with these parameter types (bytea or left to the server).
  Result<const Prepared*> Prepare(std::string_view sql, const std::vector<Oid>& types) {
    std::string key(sql);
    key += '\0';
    for (Oid t : types) key += t == kByteaOid ? 'b' : '-';
    auto it = statements_.find(key);
    if (it != statements_.end()) return &it->second;
    bool cache = statements_.size() < kMaxCachedStatements;
    std::string name = cache ? "mv_" + std::to_string(next_statement_++) : "";
    PgResultHandle prepared(PQprepare(conn_.get(), name.c_str(), std::string(sql).c_str(),
                                      static_cast<int>(types.size()), types.data()));
    MV_RETURN_IF_ERROR(Remember(ResultStatus(conn_.get(), prepared.get(), where_, sql)));
    PgResultHandle described(PQdescribePrepared(conn_.get(), name.c_str()));
    MV_RETURN_IF_ERROR(Remember(ResultStatus(conn_.get(), described.get(), where_, sql)));
    Prepared entry{name, PQnparams(described.get())};
    if (!cache) {
      uncached_ = std::move(entry);
      return &uncached_;
    }
    return &statements_.emplace(std::move(key), std::move(entry)).first->second;
  }

  Result<PgResultHandle> Run(std::string_view sql, std::span<const Value> params) {
    std::vector<Oid> types(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<Bytes>(params[i])) types[i] = kByteaOid;
    }
    MV_ASSIGN_OR_RETURN(const Prepared* prepared, Prepare(sql, types));
    if (static_cast<size_t>(prepared->parameters) != params.size()) {
      return InvalidArgument(
          StatementMessage(where_,
                           "the statement uses " + std::to_string(prepared->parameters) +
                               " parameters but " + std::to_string(params.size()) + " were given",
                           sql));
    }
    std::vector<std::string> numbers(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        numbers[i] = std::to_string(*n);
        values[i] = numbers[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        if (s->find('\0') != std::string::npos) {
          return InvalidArgument(
              StatementMessage(where_,
                               "parameter $" + std::to_string(i + 1) +
                                   " is text with a NUL byte, which PostgreSQL text cannot hold",
                               sql));
        }
        values[i] = s->c_str();
      } else if (const auto* b = std::get_if<Bytes>(&v)) {
        if (b->data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
          return InvalidArgument(StatementMessage(where_, "a BYTEA parameter over 2 GiB", sql));
        }
        values[i] = b->data.data();
        lengths[i] = static_cast<int>(b->data.size());
        formats[i] = 1;  // binary: the bytes as they are
      }
    }
    PgResultHandle result(PQexecPrepared(conn_.get(), prepared->name.c_str(),
                                         static_cast<int>(params.size()), values.data(),
                                         lengths.data(), formats.data(), /*resultFormat=*/0));
    MV_RETURN_IF_ERROR(Remember(ResultStatus(conn_.get(), result.get(), where_, sql)));
    return result;
  }

  PgConnHandle conn_;
  std::string where_;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> statements_;
  Prepared uncached_;
  uint64_t next_statement_ = 0;
  Status last_error_;  // the last statement failure, reported by Commit of a failed transaction
};

struct PostgresTarget {
  std::string url;
  std::string where;  // the URL without its password
};

void IgnoreNotice(void*, const char*) {}

Result<std::unique_ptr<PostgresConnection>> Connect(const PostgresTarget& target) {
  // Entries before "dbname" (the expanded URL) are defaults that the URL may override.
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {kConnectTimeoutS, "mirrorvault", "UTF8", target.url.c_str(), nullptr};
  PgConnHandle conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (conn == nullptr) return Internal(target.where + ": libpq could not allocate a connection");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return PostgresStatus(ConnectFailureSqlstate(conn.get()), PQerrorMessage(conn.get()),
                          target.where + ": connecting", "", /*reported=*/false);
  }
  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  return std::make_unique<PostgresConnection>(std::move(conn), target.where);
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(PostgresTarget target, std::shared_ptr<ConnectionPool> pool)
      : target_(std::move(target)), pool_(std::move(pool)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return target_.where; }
  Result<ConnectionLease> Acquire() override { return pool_->Acquire(); }

 private:
  const PostgresTarget target_;
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace

Result<std::shared_ptr<Database>> OpenPostgresDatabase(std::string_view url,
                                                       const DatabaseOptions& options) {
  PostgresTarget target{std::string(url), RedactUrl(url)};
  char* raw_error = nullptr;
  ConninfoHandle parsed(PQconninfoParse(target.url.c_str(), &raw_error));
  PgBuffer error(reinterpret_cast<unsigned char*>(raw_error));
  if (parsed == nullptr) {
    std::string why = error != nullptr ? TrimMessage(reinterpret_cast<const char*>(error.get()))
                                       : "libpq cannot parse it";
    return InvalidArgument("database URL \"" + target.where + "\": " + RedactSecrets(why) +
                           " (write postgresql://user[:password]@host[:port]/dbname)");
  }
  // Connecting now: an unreachable server or refused login fails here, not at first use.
  MV_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> first, Connect(target));
  auto pool = ConnectionPool::Make(
      [target]() -> Result<std::unique_ptr<Connection>> {
        MV_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> c, Connect(target));
        return std::unique_ptr<Connection>(std::move(c));
      },
      [](Connection& c) { return static_cast<PostgresConnection&>(c).Healthy(); },
      options.max_idle_connections);
  pool->AddIdle(std::move(first));
  return std::shared_ptr<Database>(
      std::make_shared<PostgresDatabase>(std::move(target), std::move(pool)));
}

}  // namespace mv::db
