// The catalog conformance suite on SQLite: a file in a fresh folder, and the in-memory database.
#include <memory>

#include "archive/catalog_conformance.h"
#include "db/database.h"
#include "support/temp_dir.h"

namespace mv::testing {
namespace {

// The folder goes with the last reference to the database.
std::shared_ptr<db::Database> SqliteFile() {
  auto dir = std::make_shared<TempDir>();
  auto db = db::OpenDatabase("sqlite://" + dir->path() + "/catalog.db");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  std::shared_ptr<db::Database> database = *db;
  db::Database* raw = database.get();
  return std::shared_ptr<db::Database>(
      raw, [database = std::move(database), dir](db::Database*) mutable {
        database.reset();  // closed before its folder is removed
        dir.reset();
      });
}

std::shared_ptr<db::Database> SqliteMemory() {
  auto db = db::OpenDatabase("sqlite::memory:");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return *db;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CatalogConformance,
                         ::testing::Values(CatalogFactory{"file", SqliteFile},
                                           CatalogFactory{"memory", SqliteMemory}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::testing
