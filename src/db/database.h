// The SQL seam: a Database (SQLite or PostgreSQL) hands out pooled Connections that run
// parameterised statements and transactions. Each part of mirrorvault owns its own tables,
// queries and migrations (db/migrations.h); nothing here knows any table.
//
// SQL text: parameters are written $1, $2, ... in both dialects (SQLite accepts "$1" as a named
// parameter; the SQLite connection binds it by its number). The few dialect differences (types,
// identity columns) are the caller's: ask Connection::dialect().
//
// Values: NULL, 64-bit integers, text (UTF-8) and bytes (SQLite BLOB, PostgreSQL BYTEA). A
// column read back has the type it was stored with; Row's accessors convert integers given as
// text (PostgreSQL's text results) and fail loudly on a mismatch.
//
// Errors (each library's codes mapped in one function per backend):
//   AlreadyExists       a unique or primary key constraint was violated
//   PreconditionFailed  a foreign key constraint was violated (the row referred to is missing,
//                       or is still referred to)
//   Unavailable         busy/locked (SQLite, after busy_timeout), serialization failure or
//                       deadlock (PostgreSQL 40001/40P01), lost or refused connection: retryable
//   PermissionDenied    authentication refused, read-only file
//   InvalidArgument     bad SQL, bad parameter count, a URL it cannot parse, a NOT NULL or
//                       CHECK constraint violated, a value the column's type cannot hold
//   NotFound            the database file's folder or the PostgreSQL database does not exist
//   Corruption          SQLITE_CORRUPT / SQLITE_NOTADB
//   Internal            anything else, with the library's message
// Messages name the database (its URL without password) and the first words of the statement.
//
// Thread safety: a Database is shared by every thread; a Connection is used by one thread at a
// time (hold its lease while using it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/status.h"

namespace mv::db {

enum class Dialect { kSqlite, kPostgres };
std::string_view DialectName(Dialect dialect);  // "sqlite", "postgresql"

// Bytes, as opposed to text, for BLOB/BYTEA columns.
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

using Value = std::variant<std::nullptr_t, int64_t, std::string, Bytes>;

// The type of a value read back. PostgreSQL: int2/int4/int8/oid, bool (1/0) and integral
// numeric values (what SUM(bigint) returns) are kInteger, bytea is kBytes, NULL is kNull, every
// other type is kText (its text form). SQLite: the storage class; REAL is kText.
enum class ValueType { kNull, kInteger, kText, kBytes };

// One result row; valid only inside the visit callback that receives it.
class Row {
 public:
  virtual ~Row() = default;
  virtual size_t size() const = 0;
  virtual bool IsNull(size_t column) const = 0;
  virtual ValueType Type(size_t column) const = 0;
  // InvalidArgument-style failures here are programming errors: they throw std::logic_error
  // naming the column, so that a schema mismatch cannot pass silently. Int accepts integers and
  // text holding a whole decimal int64; Text accepts text and integers (as decimal); Blob accepts
  // bytes only; none accepts NULL, and a column past size() throws too.
  virtual int64_t Int(size_t column) const = 0;
  virtual std::string Text(size_t column) const = 0;
  virtual std::string Blob(size_t column) const = 0;  // BLOB/BYTEA contents
  Value Get(size_t column) const;                     // as stored; integers as int64_t
};

enum class TransactionMode {
  kRead,   // SQLite: BEGIN (deferred); PostgreSQL: BEGIN
  kWrite,  // SQLite: BEGIN IMMEDIATE (takes the write lock up front); PostgreSQL: BEGIN
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one statement; returns the number of rows it changed. Statements are prepared once
  // per connection and reused.
  virtual Result<int64_t> Execute(std::string_view sql, std::span<const Value> params = {}) = 0;
  // Runs one statement and calls `visit` for each row; a non-OK status from `visit` stops the
  // query and is returned.
  virtual Status Query(std::string_view sql, std::span<const Value> params,
                       const std::function<Status(const Row&)>& visit) = 0;
  // Several statements without parameters, separated by ';' (migrations).
  virtual Status ExecuteScript(std::string_view sql) = 0;

  // Begin: InvalidArgument when a transaction is already open. Commit: InvalidArgument when none
  // is; on PostgreSQL a transaction in which a statement failed cannot commit: it is rolled back
  // and Commit returns that statement's error. Rollback: OK when no transaction is open.
  virtual Status Begin(TransactionMode mode) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool InTransaction() const = 0;

  // Convenience: every row as Values.
  Result<std::vector<std::vector<Value>>> QueryAll(std::string_view sql,
                                                   std::span<const Value> params = {});
};

// A connection borrowed from the Database's pool; returned to it when destroyed (rolled back
// first if a transaction was left open, and dropped if it is broken).
class ConnectionLease {
 public:
  ConnectionLease() = default;
  ConnectionLease(std::unique_ptr<Connection> connection,
                  std::function<void(std::unique_ptr<Connection>)> give_back);
  ConnectionLease(ConnectionLease&&) noexcept;
  ConnectionLease& operator=(ConnectionLease&&) noexcept;
  ConnectionLease(const ConnectionLease&) = delete;
  ConnectionLease& operator=(const ConnectionLease&) = delete;
  ~ConnectionLease();

  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_.get(); }
  Connection* get() const { return connection_.get(); }

 private:
  void Release();
  std::unique_ptr<Connection> connection_;
  std::function<void(std::unique_ptr<Connection>)> give_back_;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // The URL without its password, for messages.
  virtual std::string Describe() const = 0;
  // A connection from the pool, opened when none is idle.
  virtual Result<ConnectionLease> Acquire() = 0;
};

struct DatabaseOptions {
  // SQLite: wait this long for a lock before Unavailable (busy_timeout).
  int busy_timeout_ms = 10000;
  // Idle connections kept for reuse.
  size_t max_idle_connections = 8;
  // SQLite: create the file's folder when missing.
  bool create = true;
};

// Opens the database at `url`:
//   sqlite:///abs/path/catalog.db   (WAL mode, foreign keys on, synchronous=NORMAL)
//   sqlite::memory:                 (one private in-memory database shared by the pool's
//                                    connections; for tests)
//   postgresql://user[:password]@host[:port]/dbname[?param=value...]  (also postgres://; libpq
//                                    connection URI rules)
// InvalidArgument names the URL (without password) and what is wrong; a server that cannot be
// reached is Unavailable.
Result<std::shared_ptr<Database>> OpenDatabase(std::string_view url,
                                               const DatabaseOptions& options = {});

// The most heap the SQLite page caches of this process take together (a soft limit: pages
// beyond it are recycled rather than grown); 256 MiB unless set. A process with a memory bound of
// its own (gc) sets it lower before opening a database. PostgreSQL's caches are its server's.
void SetSqliteCacheLimit(uint64_t bytes);

// NotFound when `url` is a SQLite file whose folder does not exist (OpenDatabase with
// create = true would make it); OK for every other URL. For callers that make the folder only
// for a default location and refuse a mistyped one.
Status CheckDatabaseFolder(std::string_view url);

// Runs `fn` inside a transaction on `connection`, committing when it returns OK and rolling back
// otherwise. A retryable failure (busy, serialization failure, deadlock) of fn or of the commit
// is retried up to `max_attempts` times with a short backoff; fn must be safe to re-run.
Status WithTransaction(Connection& connection, TransactionMode mode,
                       const std::function<Status(Connection&)>& fn, int max_attempts = 5);

}  // namespace mv::db
