// The CopyState conformance suite on the catalog state, SQLite: a file in a fresh folder.
#include <filesystem>
#include <random>

#include "db/database.h"
#include "regioncache/copy_state_conformance.h"

namespace mv::testing {
namespace {

CopyStateOpener SqliteCatalog() {
  static std::mt19937_64 rng(std::random_device{}());
  const auto dir =
      std::filesystem::temp_directory_path() / ("mv-copy-state-" + std::to_string(rng()));
  std::filesystem::create_directories(dir);
  auto db = db::OpenDatabase("sqlite://" + (dir / "catalog.db").string());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  std::shared_ptr<db::Database> database = db.ok() ? *db : nullptr;
  return [database](Clock* clock) -> std::unique_ptr<regioncache::CopyState> {
    if (database == nullptr) return nullptr;
    auto state = regioncache::OpenCatalogCopyState(database, {.clock = clock});
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? std::move(*state) : nullptr;
  };
}

INSTANTIATE_TEST_SUITE_P(Catalog, CopyStateConformance,
                         ::testing::Values(CopyStateFactory{
                             .name = "sqlite", .backend = SqliteCatalog, .awaits_messages = false}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::testing
