// The SQLite backend (private to src/db; reached through OpenDatabase).
#pragma once

#include <memory>
#include <string_view>

#include "db/database.h"
#include "util/status.h"

namespace mv::db {

// `url` is "sqlite:///abs/path" or "sqlite::memory:" (OpenDatabase's contract).
Result<std::shared_ptr<Database>> OpenSqliteDatabase(std::string_view url,
                                                     const DatabaseOptions& options);

// CheckDatabaseFolder for a sqlite: URL.
Status CheckSqliteFolder(std::string_view url);

}  // namespace mv::db
