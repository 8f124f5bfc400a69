// The catalog conformance suite on SQLite: a file in a fresh folder, and the in-memory database.
#include <filesystem>
#include <random>

#include "archive/catalog_conformance.h"
#include "db/database.h"

namespace mv::testing {
namespace {

std::shared_ptr<db::Database> SqliteFile() {
  static std::mt19937_64 rng(std::random_device{}());
  auto dir = std::filesystem::temp_directory_path() / ("mv-catalog-" + std::to_string(rng()));
  std::filesystem::create_directories(dir);
  auto db = db::OpenDatabase("sqlite://" + (dir / "catalog.db").string());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return *db;
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
