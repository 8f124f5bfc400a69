// The SQLite backend: one sqlite3 handle per pooled connection (opened without SQLite's own
// mutex: a connection is used by one thread at a time), WAL, statements cached per connection.
#include "db/sqlite_database.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "db/connection_pool.h"
#include "db/statement_text.h"
#include "util/redact.h"
#include "util/uri.h"

namespace mv::db {
namespace {

// The soft limit on the heap all SQLite connections of a process take together (page caches
// above it are recycled rather than grown), unless the process set one (SetSqliteCacheLimit):
// eight connections at their full 32 MiB.
constexpr sqlite3_int64 kSqliteSoftHeapLimit = sqlite3_int64{256} << 20;

constexpr std::string_view kMemoryUrl = "sqlite::memory:";
// Statements kept prepared per connection; beyond this, statements are prepared for one use.
constexpr size_t kMaxCachedStatements = 512;

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

struct SqliteFreer {
  void operator()(char* p) const { sqlite3_free(p); }
};
using SqliteString = std::unique_ptr<char, SqliteFreer>;

// The one mapping of SQLite result codes (extended codes on) to Status. `sys_errno` is the
// operating system's errno behind SQLITE_CANTOPEN / SQLITE_IOERR (0 when unknown).
Status SqliteStatus(int rc, std::string_view library_message, int sys_errno, std::string_view where,
                    std::string_view sql) {
  std::string what(library_message.empty() ? sqlite3_errstr(rc) : library_message);
  std::string message = StatementMessage(where, what, sql);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_ROWID:
          return AlreadyExists(std::move(message));
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return PreconditionFailed(std::move(message));
        default:
          return InvalidArgument(std::move(message));
      }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(message));
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return PermissionDenied(std::move(message));
    case SQLITE_CANTOPEN:
      if (sys_errno == ENOENT || sys_errno == ENOTDIR) return NotFound(std::move(message));
      if (sys_errno == EACCES || sys_errno == EPERM || sys_errno == EROFS) {
        return PermissionDenied(std::move(message));
      }
      return Internal(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corruption(std::move(message));
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return InvalidArgument(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

Status HandleStatus(sqlite3* db, int rc, std::string_view where, std::string_view sql) {
  return SqliteStatus(rc, db != nullptr ? sqlite3_errmsg(db) : "",
                      db != nullptr ? sqlite3_system_errno(db) : 0, where, sql);
}

[[noreturn]] void ThrowColumnError(sqlite3_stmt* stmt, size_t column, std::string_view what) {
  std::string name = "?";
  if (column < static_cast<size_t>(sqlite3_column_count(stmt))) {
    const char* n = sqlite3_column_name(stmt, static_cast<int>(column));
    if (n != nullptr) name = n;
  }
  throw std::logic_error("column " + std::to_string(column) + " (\"" + name + "\") " +
                         std::string(what) + " (in \"" + StatementHead(sqlite3_sql(stmt)) + "\")");
}

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}

  size_t size() const override { return static_cast<size_t>(sqlite3_column_count(stmt_)); }
  bool IsNull(size_t column) const override { return Type(column) == ValueType::kNull; }

  ValueType Type(size_t column) const override {
    switch (StorageClass(column)) {
      case SQLITE_NULL:
        return ValueType::kNull;
      case SQLITE_INTEGER:
        return ValueType::kInteger;
      case SQLITE_BLOB:
        return ValueType::kBytes;
      default:
        return ValueType::kText;
    }
  }

  int64_t Int(size_t column) const override {
    switch (StorageClass(column)) {
      case SQLITE_INTEGER:
        return sqlite3_column_int64(stmt_, Index(column));
      case SQLITE_TEXT: {
        std::string text = RawText(column);
        int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return v;
        ThrowColumnError(stmt_, column, "holds text that is not an integer");
      }
      case SQLITE_FLOAT: {
        double d = sqlite3_column_double(stmt_, Index(column));
        if (std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
        ThrowColumnError(stmt_, column, "holds a real number, not an integer");
      }
      case SQLITE_NULL:
        ThrowColumnError(stmt_, column, "is NULL, not an integer");
      default:
        ThrowColumnError(stmt_, column, "holds bytes, not an integer");
    }
  }

  std::string Text(size_t column) const override {
    switch (StorageClass(column)) {
      case SQLITE_TEXT:
        return RawText(column);
      case SQLITE_INTEGER:
        return std::to_string(sqlite3_column_int64(stmt_, Index(column)));
      case SQLITE_FLOAT: {
        char buf[64];
        auto [end, ec] =
            std::to_chars(buf, buf + sizeof buf, sqlite3_column_double(stmt_, Index(column)));
        return std::string(buf, ec == std::errc() ? end : buf);
      }
      case SQLITE_NULL:
        ThrowColumnError(stmt_, column, "is NULL, not text");
      default:
        ThrowColumnError(stmt_, column, "holds bytes, not text");
    }
  }

  std::string Blob(size_t column) const override {
    int type = StorageClass(column);
    if (type == SQLITE_NULL) ThrowColumnError(stmt_, column, "is NULL, not bytes");
    if (type != SQLITE_BLOB) ThrowColumnError(stmt_, column, "is not bytes (BLOB)");
    const void* p = sqlite3_column_blob(stmt_, Index(column));
    int n = sqlite3_column_bytes(stmt_, Index(column));
    if (p == nullptr || n <= 0) return {};
    return std::string(static_cast<const char*>(p), static_cast<size_t>(n));
  }

 private:
  int Index(size_t column) const {
    if (column >= size()) {
      ThrowColumnError(stmt_, column,
                       "does not exist: the row has " + std::to_string(size()) + " columns");
    }
    return static_cast<int>(column);
  }
  int StorageClass(size_t column) const { return sqlite3_column_type(stmt_, Index(column)); }
  std::string RawText(size_t column) const {
    const unsigned char* p = sqlite3_column_text(stmt_, Index(column));
    int n = sqlite3_column_bytes(stmt_, Index(column));
    if (p == nullptr || n <= 0) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }

  sqlite3_stmt* stmt_;
};

// Heterogeneous lookup of cached statements by string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// "$7" -> 7; 0 for any other parameter spelling.
size_t ParameterNumber(const char* name) {
  if (name == nullptr || name[0] != '$' || name[1] < '1' || name[1] > '9') return 0;
  size_t n = 0;
  std::string_view digits(name + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
  return n;
}

// A prepared statement and the N of each of its parameters' "$N" (0: spelt otherwise), read
// once: sqlite3_bind_parameter_name searches a list, so asking it at every use costs time
// quadratic in the parameters of a many-row INSERT.
struct Prepared {
  explicit Prepared(StatementHandle h) : handle(std::move(h)) {
    int count = sqlite3_bind_parameter_count(handle.get());
    numbers.reserve(static_cast<size_t>(count));
    for (int i = 1; i <= count; ++i) {
      numbers.push_back(ParameterNumber(sqlite3_bind_parameter_name(handle.get(), i)));
    }
  }
  StatementHandle handle;
  std::vector<size_t> numbers;  // numbers[i - 1] for parameter i
};

// A statement in use: a cached one is reset and unbound when the use ends, a one-off finalized.
class StatementUse {
 public:
  explicit StatementUse(Prepared* cached) : prepared_(cached) {}
  explicit StatementUse(std::unique_ptr<Prepared> owned)
      : prepared_(owned.get()), owned_(std::move(owned)) {}
  StatementUse(StatementUse&& other) noexcept
      : prepared_(std::exchange(other.prepared_, nullptr)), owned_(std::move(other.owned_)) {}
  StatementUse& operator=(StatementUse&&) = delete;
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() {
    if (prepared_ != nullptr && owned_ == nullptr) {
      sqlite3_reset(prepared_->handle.get());
      sqlite3_clear_bindings(prepared_->handle.get());
    }
  }
  sqlite3_stmt* get() const { return prepared_->handle.get(); }
  const std::vector<size_t>& numbers() const { return prepared_->numbers; }

 private:
  Prepared* prepared_;
  std::unique_ptr<Prepared> owned_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(SqliteHandle db, std::string where)
      : db_(std::move(db)), where_(std::move(where)) {}

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) override {
    int64_t before = sqlite3_total_changes64(db_.get());
    MV_RETURN_IF_ERROR(Run(sql, params, nullptr));
    // changes() keeps the count of the last INSERT/UPDATE/DELETE: trust it only when this
    // statement changed something.
    if (sqlite3_total_changes64(db_.get()) == before) return int64_t{0};
    return static_cast<int64_t>(sqlite3_changes64(db_.get()));
  }

  Status Query(std::string_view sql, std::span<const Value> params,
               const std::function<Status(const Row&)>& visit) override {
    return Run(sql, params, &visit);
  }

  Status ExecuteScript(std::string_view sql) override {
    std::string script(sql);
    char* raw_error = nullptr;
    int rc = sqlite3_exec(db_.get(), script.c_str(), nullptr, nullptr, &raw_error);
    SqliteString error(raw_error);
    if (rc == SQLITE_OK) return Status::Ok();
    return SqliteStatus(sqlite3_extended_errcode(db_.get()),
                        error != nullptr ? error.get() : sqlite3_errmsg(db_.get()),
                        sqlite3_system_errno(db_.get()), where_, sql);
  }

  Status Begin(TransactionMode mode) override {
    if (InTransaction()) {
      return InvalidArgument(where_ + ": Begin: a transaction is already open on this connection");
    }
    return Run(mode == TransactionMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", {}, nullptr);
  }

  Status Commit() override {
    if (!InTransaction()) return InvalidArgument(where_ + ": Commit: no transaction is open");
    return Run("COMMIT", {}, nullptr);
  }

  Status Rollback() override {
    if (!InTransaction()) return Status::Ok();
    return Run("ROLLBACK", {}, nullptr);
  }

  bool InTransaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }

 private:
  // Runs one statement, giving each row to `visit` (when not null).
  Status Run(std::string_view sql, std::span<const Value> params,
             const std::function<Status(const Row&)>* visit) {
    MV_ASSIGN_OR_RETURN(StatementUse use, Prepare(sql));
    sqlite3_stmt* stmt = use.get();
    MV_RETURN_IF_ERROR(Bind(use, sql, params));
    SqliteRow row(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return HandleStatus(db_.get(), rc, where_, sql);
      if (visit != nullptr) MV_RETURN_IF_ERROR((*visit)(row));
    }
  }

  Result<StatementUse> Prepare(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end() && !sqlite3_stmt_busy(it->second.handle.get())) {
      return StatementUse(&it->second);
    }
    // A statement already running (a query issued again from its own visit callback) or one
    // past the cache's size is prepared for this use only.
    bool cache = it == statements_.end() && statements_.size() < kMaxCachedStatements;
    if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return InvalidArgument(StatementMessage(where_, "statement too long", sql));
    }
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                cache ? SQLITE_PREPARE_PERSISTENT : 0, &raw, &tail);
    StatementHandle stmt(raw);
    if (rc != SQLITE_OK) return HandleStatus(db_.get(), rc, where_, sql);
    if (stmt == nullptr) return InvalidArgument(StatementMessage(where_, "empty statement", sql));
    std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
    if (!rest.empty()) {
      sqlite3_stmt* next_raw = nullptr;
      rc = sqlite3_prepare_v3(db_.get(), rest.data(), static_cast<int>(rest.size()), 0, &next_raw,
                              nullptr);
      StatementHandle next(next_raw);
      if (rc != SQLITE_OK || next != nullptr) {
        return InvalidArgument(StatementMessage(
            where_, "several statements in one: run them one by one (or as a script)", sql));
      }
    }
    if (!cache) return StatementUse(std::make_unique<Prepared>(std::move(stmt)));
    auto kept = statements_.emplace(std::string(sql), std::move(stmt)).first;
    return StatementUse(&kept->second);
  }

  Status Bind(const StatementUse& use, std::string_view sql, std::span<const Value> params) {
    sqlite3_stmt* stmt = use.get();
    const std::vector<size_t>& numbers = use.numbers();
    std::vector<bool> used(params.size(), false);
    for (int i = 1; i <= static_cast<int>(numbers.size()); ++i) {
      size_t n = numbers[static_cast<size_t>(i - 1)];
      if (n == 0) {
        const char* name = sqlite3_bind_parameter_name(stmt, i);
        return InvalidArgument(StatementMessage(where_,
                                                std::string("parameter \"") +
                                                    (name != nullptr ? name : "?") +
                                                    "\": write parameters as $1, $2, ...",
                                                sql));
      }
      if (n > params.size()) {
        return InvalidArgument(StatementMessage(where_,
                                                "the statement uses $" + std::to_string(n) +
                                                    " but " + std::to_string(params.size()) +
                                                    " parameters were given",
                                                sql));
      }
      used[n - 1] = true;
      int rc = BindOne(stmt, i, params[n - 1]);
      if (rc != SQLITE_OK) return HandleStatus(db_.get(), rc, where_, sql);
    }
    for (size_t k = 0; k < used.size(); ++k) {
      if (!used[k]) {
        return InvalidArgument(StatementMessage(where_,
                                                std::to_string(params.size()) +
                                                    " parameters were given but the statement " +
                                                    "does not use $" + std::to_string(k + 1),
                                                sql));
      }
    }
    return Status::Ok();
  }

  static int BindOne(sqlite3_stmt* stmt, int index, const Value& value) {
    // SQLITE_STATIC: the values outlive the statement's use, and bindings are cleared after it.
    if (std::holds_alternative<std::nullptr_t>(value)) return sqlite3_bind_null(stmt, index);
    if (const auto* i = std::get_if<int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *i);
    if (const auto* s = std::get_if<std::string>(&value)) {
      return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    const std::string& data = std::get<Bytes>(value).data;
    return sqlite3_bind_blob64(stmt, index, data.data(), data.size(), SQLITE_STATIC);
  }

  // Declared before statements_: statements are finalized before the handle closes.
  SqliteHandle db_;
  std::string where_;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> statements_;
};

struct SqliteTarget {
  std::string filename;  // a path, or a "file:" URI for the shared in-memory database
  bool uri = false;
  bool memory = false;
  std::string where;  // for messages
  int busy_timeout_ms = 0;
};

Result<SqliteHandle> OpenHandle(const SqliteTarget& target) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (target.uri) flags |= SQLITE_OPEN_URI;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(target.filename.c_str(), &raw, flags, nullptr);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK) return HandleStatus(db.get(), rc, target.where, "");
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), target.busy_timeout_ms);
  // The in-memory database (memdb VFS) has no WAL; its locks still honour busy_timeout.
  // A 32 MiB page cache per connection: a run's commit inserts rows all over large indexes, and
  // SQLite's 2 MiB default spills pages to the WAL again and again.
  const char* setup = target.memory ? "PRAGMA foreign_keys = ON"
                                    : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                      "PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768";
  char* raw_error = nullptr;
  rc = sqlite3_exec(db.get(), setup, nullptr, nullptr, &raw_error);
  SqliteString error(raw_error);
  if (rc != SQLITE_OK) {
    return SqliteStatus(sqlite3_extended_errcode(db.get()),
                        error != nullptr ? error.get() : sqlite3_errmsg(db.get()),
                        sqlite3_system_errno(db.get()), target.where, setup);
  }
  return db;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteTarget target, SqliteHandle anchor, std::shared_ptr<ConnectionPool> pool)
      : target_(std::move(target)), anchor_(std::move(anchor)), pool_(std::move(pool)) {}

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return target_.where; }
  Result<ConnectionLease> Acquire() override { return pool_->Acquire(); }

 private:
  const SqliteTarget target_;
  // sqlite::memory: only: a connection that keeps the in-memory database alive while the
  // Database lives (declared before pool_, so it closes after the pooled connections).
  SqliteHandle anchor_;
  std::shared_ptr<ConnectionPool> pool_;
};

std::string UniqueMemoryName() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return "file:/mv-mem-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rng()) + "?vfs=memdb";
}

Result<SqliteTarget> TargetFromUrl(std::string_view url, const DatabaseOptions& options) {
  SqliteTarget target;
  target.busy_timeout_ms = options.busy_timeout_ms;
  if (url == kMemoryUrl) {
    target.filename = UniqueMemoryName();
    target.uri = true;
    target.memory = true;
    target.where = std::string(kMemoryUrl);
    return target;
  }
  auto bad = [&](const std::string& why) {
    return InvalidArgument("database URL \"" + RedactUrl(url) + "\": " + why +
                           " (write sqlite:///absolute/path/catalog.db or sqlite::memory:)");
  };
  Result<Uri> parsed = ParseUri(url);
  if (!parsed.ok()) return bad(parsed.status().message());
  const Uri& uri = *parsed;
  if (uri.user || uri.password || uri.port || !uri.host.empty()) {
    return bad("a sqlite URL has no host, user or port");
  }
  if (!uri.query.empty()) return bad("a sqlite URL takes no parameters");
  if (uri.path.empty() || uri.path.back() == '/') return bad("no file name");
  target.filename = uri.path;
  target.where = "sqlite://" + uri.path;
  return target;
}

Status EnsureFolder(const SqliteTarget& target, bool create) {
  std::filesystem::path folder = std::filesystem::path(target.filename).parent_path();
  std::error_code ec;
  bool exists = std::filesystem::is_directory(folder, ec);
  if (exists) return Status::Ok();
  if (!create) {
    return NotFound(target.where + ": the folder " + folder.string() +
                    " does not exist (create it first, or check the path)");
  }
  std::filesystem::create_directories(folder, ec);
  if (ec) return ErrnoStatus(ec.value(), "creating " + folder.string() + " for " + target.where);
  return Status::Ok();
}

}  // namespace

void SetSqliteCacheLimit(uint64_t bytes) {
  sqlite3_soft_heap_limit64(static_cast<sqlite3_int64>(std::max<uint64_t>(bytes, 1)));
}

Status CheckSqliteFolder(std::string_view url) {
  MV_ASSIGN_OR_RETURN(SqliteTarget target, TargetFromUrl(url, DatabaseOptions{}));
  if (target.memory) return Status::Ok();
  return EnsureFolder(target, /*create=*/false);
}

Result<std::shared_ptr<Database>> OpenSqliteDatabase(std::string_view url,
                                                     const DatabaseOptions& options) {
  MV_ASSIGN_OR_RETURN(SqliteTarget target, TargetFromUrl(url, options));
  if (!target.memory) MV_RETURN_IF_ERROR(EnsureFolder(target, options.create));
  // The page caches of all of a process's connections share a soft limit: a process with many
  // connections at once (gc and fsck read the catalog from dozens of threads, the server from
  // its workers) recycles pages beyond it instead of growing each cache to its 32 MiB.
  if (sqlite3_soft_heap_limit64(-1) == 0) sqlite3_soft_heap_limit64(kSqliteSoftHeapLimit);
  // The first connection checks the file now (a bad path or a file that is not a database
  // fails here); it becomes the in-memory database's anchor or the pool's first idle one.
  MV_ASSIGN_OR_RETURN(SqliteHandle first, OpenHandle(target));
  auto pool = ConnectionPool::Make(
      [target]() -> Result<std::unique_ptr<Connection>> {
        MV_ASSIGN_OR_RETURN(SqliteHandle db, OpenHandle(target));
        return std::unique_ptr<Connection>(
            std::make_unique<SqliteConnection>(std::move(db), target.where));
      },
      [](Connection&) { return true; }, options.max_idle_connections);
  SqliteHandle anchor;
  if (target.memory) {
    anchor = std::move(first);
  } else {
    pool->AddIdle(std::make_unique<SqliteConnection>(std::move(first), target.where));
  }
  return std::shared_ptr<Database>(
      std::make_shared<SqliteDatabase>(std::move(target), std::move(anchor), std::move(pool)));
}

}  // namespace mv::db
