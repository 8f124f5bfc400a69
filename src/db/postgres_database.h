// The PostgreSQL backend on libpq (private to src/db; reached through OpenDatabase).
#pragma once

#include <memory>
#include <string_view>

#include "db/database.h"
#include "util/status.h"

namespace mv::db {

// `url` is a postgresql:// or postgres:// connection URI (OpenDatabase's contract).
Result<std::shared_ptr<Database>> OpenPostgresDatabase(std::string_view url,
                                                       const DatabaseOptions& options);

}  // namespace mv::db
