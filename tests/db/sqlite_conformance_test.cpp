// The Database conformance suite over SQLite: a file in a fresh temporary folder, and
// sqlite::memory:.
#include "db/database_conformance.h"

namespace mv::db {
namespace {

TestDatabase SqliteFile() {
  auto dir = std::make_shared<TempDir>();
  return {.url = "sqlite://" + dir->path() + "/catalog.db", .reopenable = true, .owner = dir};
}

TestDatabase SqliteMemory() { return {.url = "sqlite::memory:", .reopenable = false}; }

INSTANTIATE_TEST_SUITE_P(Sqlite, DatabaseConformance,
                         ::testing::Values(DatabaseFactory{"sqlite_file", SqliteFile},
                                           DatabaseFactory{"sqlite_memory", SqliteMemory}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::db
