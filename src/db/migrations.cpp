#include "db/migrations.h"

#include <ctime>
#include <limits>
#include <string>

namespace mv::db {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS mv_schema_migrations ("
    "component TEXT NOT NULL, version BIGINT NOT NULL, description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL, PRIMARY KEY (component, version))";

// Serialises migrators of one schema (the table is per schema, so is the lock) until the
// transaction ends. coalesce: current_schema() is NULL when the search_path names none.
constexpr std::string_view kPostgresLock =
    "SELECT pg_advisory_xact_lock(hashtext('mirrorvault migrations ' || "
    "coalesce(current_schema(), '')))";

constexpr std::string_view kSqliteTableExists =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'mv_schema_migrations'";
constexpr std::string_view kPostgresTableExists =
    "SELECT CASE WHEN to_regclass('mv_schema_migrations') IS NULL THEN 0 ELSE 1 END";

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

Status CheckMigrations(std::string_view component, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i + 1)) {
      return InvalidArgument("migrations of " + std::string(component) + ": entry " +
                             std::to_string(i + 1) + " has version " +
                             std::to_string(migrations[i].version) +
                             " (versions are 1, 2, 3, ... in order, without gaps)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<int> SchemaVersion(Connection& connection, std::string_view component) {
  bool postgres = connection.dialect() == Dialect::kPostgres;
  int64_t tables = 0;
  MV_RETURN_IF_ERROR(connection.Query(postgres ? kPostgresTableExists : kSqliteTableExists, {},
                                      [&tables](const Row& row) {
                                        tables = row.Int(0);
                                        return Status::Ok();
                                      }));
  if (tables == 0) return 0;
  int64_t version = 0;
  const Value params[] = {std::string(component)};
  MV_RETURN_IF_ERROR(connection.Query(
      "SELECT COALESCE(MAX(version), 0) FROM mv_schema_migrations WHERE component = $1", params,
      [&version](const Row& row) {
        version = row.Int(0);
        return Status::Ok();
      }));
  if (version < 0 || version > std::numeric_limits<int>::max()) {
    return Corruption("mv_schema_migrations records version " + std::to_string(version) + " for " +
                      std::string(component));
  }
  return static_cast<int>(version);
}

Status Migrate(Database& database, std::string_view component,
               std::span<const Migration> migrations) {
  MV_RETURN_IF_ERROR(CheckMigrations(component, migrations));
  MV_ASSIGN_OR_RETURN(ConnectionLease lease, database.Acquire());
  const int known = static_cast<int>(migrations.size());
  const std::string name(component);
  // One transaction per migration: each re-reads the version under the lock, so a migration
  // another process applied meanwhile is not applied again.
  for (;;) {
    bool done = false;
    auto step = [&](Connection& c) -> Status {
      done = false;
      bool postgres = c.dialect() == Dialect::kPostgres;
      if (postgres) MV_RETURN_IF_ERROR(c.Execute(kPostgresLock).status());
      MV_RETURN_IF_ERROR(c.Execute(kCreateTable).status());
      MV_ASSIGN_OR_RETURN(int current, SchemaVersion(c, component));
      if (current > known) {
        return InvalidArgument("catalog " + database.Describe() + ": " + name +
                               " schema is at version " + std::to_string(current) +
                               ", this mirrorvault knows up to " + std::to_string(known) +
                               ": upgrade");
      }
      if (current == known) {
        done = true;
        return Status::Ok();
      }
      const Migration& m = migrations[static_cast<size_t>(current)];
      const std::string script = postgres && !m.postgres_sql.empty()
                                     ? std::string(m.postgres_sql)
                                     : ResolveSchemaPlaceholders(m.sql, c.dialect());
      std::string what = "catalog " + database.Describe() + ": migration " + name + " " +
                         std::to_string(m.version) + " (" + std::string(m.description) + ")";
      MV_RETURN_IF_ERROR(c.ExecuteScript(script).WithContext(what));
      const Value row[] = {name, int64_t{m.version}, std::string(m.description), NowUtc()};
      return c
          .Execute(
              "INSERT INTO mv_schema_migrations (component, version, description, "
              "applied_at) VALUES ($1, $2, $3, $4)",
              row)
          .status()
          .WithContext(what);
    };
    MV_RETURN_IF_ERROR(WithTransaction(*lease, TransactionMode::kWrite, step));
    if (done) return Status::Ok();
  }
}

std::string ResolveSchemaPlaceholders(std::string_view sql, Dialect dialect) {
  const bool postgres = dialect == Dialect::kPostgres;
  const std::pair<std::string_view, std::string_view> kinds[] = {
      {"{{text}}", postgres ? "TEXT COLLATE \"C\"" : "TEXT"},
      {"{{bytes}}", postgres ? "BYTEA" : "BLOB"},
      {"{{id}}",
       postgres ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY"},
      {"{{without_rowid}}", postgres ? "" : " WITHOUT ROWID"},
  };
  std::string out;
  out.reserve(sql.size() + sql.size() / 4);
  size_t pos = 0;
  while (pos < sql.size()) {
    size_t open = sql.find("{{", pos);
    if (open == std::string_view::npos) break;
    out.append(sql.substr(pos, open - pos));
    bool replaced = false;
    for (const auto& [name, value] : kinds) {
      if (sql.substr(open).starts_with(name)) {
        out.append(value);
        pos = open + name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.append("{{");
      pos = open + 2;
    }
  }
  out.append(sql.substr(std::min(pos, sql.size())));
  return out;
}

}  // namespace mv::db
