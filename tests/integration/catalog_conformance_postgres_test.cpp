// The archive catalog's conformance suite (tests/archive/catalog_conformance.cpp) on the real
// PostgreSQL server of scripts/test-services, each test in a schema of its own.
#include "archive/catalog_conformance.h"
#include "db/database.h"
#include "support/postgres_test_env.h"

namespace mv::testing {
namespace {

std::shared_ptr<db::Database> FreshPostgres() {
  const std::string url = PostgresTestUrl();
  if (url.empty()) return nullptr;
  const std::string schema = UniqueSqlName("mv_catalog");
  auto admin = db::OpenDatabase(url);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  if (!admin.ok()) return nullptr;
  auto conn = (*admin)->Acquire();
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return nullptr;
  Status created = (*conn)->ExecuteScript("CREATE SCHEMA " + schema);
  EXPECT_TRUE(created.ok()) << created.ToString();
  auto db = db::OpenDatabase(WithSearchPath(url, schema));
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? *db : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Postgres, CatalogConformance,
                         ::testing::Values(CatalogFactory{"postgres", FreshPostgres}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::testing
