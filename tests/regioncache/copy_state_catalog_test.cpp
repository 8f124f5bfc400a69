// The CopyState conformance suite on the catalog state, SQLite: a file in a fresh folder.
#include <memory>

#include "db/database.h"
#include "regioncache/copy_state_conformance.h"
#include "support/temp_dir.h"

namespace mv::testing {
namespace {

CopyStateOpener SqliteCatalog() {
  auto dir = std::make_shared<TempDir>();  // removed with the last opener
  auto db = db::OpenDatabase("sqlite://" + dir->path() + "/catalog.db");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  std::shared_ptr<db::Database> database = db.ok() ? *db : nullptr;
  return [database, dir](Clock* clock) -> std::unique_ptr<regioncache::CopyState> {
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
