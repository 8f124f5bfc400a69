// Schema migrations, per part: each part (archive, apt, jobs, regioncache) owns a list of
// numbered migrations for its tables and applies them when it opens the catalog.
//
// The applied versions live in one table, mv_schema_migrations(component, version, description,
// applied_at). Migrate applies the missing ones in order, each in its own write transaction,
// serialised between processes (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction
// lock), so several processes opening one catalog at once apply each migration exactly once.
#pragma once

#include <span>
#include <string_view>

#include "db/database.h"
#include "util/status.h"

namespace mv::db {

struct Migration {
  int version = 0;                   // 1, 2, 3, ... with no gaps
  std::string_view description;      // one line
  std::string_view sqlite_sql;       // a script (several statements)
  std::string_view postgres_sql{};   // empty: the same script as sqlite_sql
};

// Brings `component`'s tables up to the last migration. FailedPrecondition-style refusal
// (InvalidArgument) when the catalog records a version newer than the last one known here:
// "catalog <url>: <component> schema is at version N, this mirrorvault knows up to M: upgrade".
Status Migrate(Database& database, std::string_view component,
               std::span<const Migration> migrations);

// The version recorded for `component` (0 when none).
Result<int> SchemaVersion(Connection& connection, std::string_view component);

}  // namespace mv::db
