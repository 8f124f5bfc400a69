// The archive catalog's conformance suite (tests/archive/catalog_conformance.cpp) on the real
// PostgreSQL server of scripts/test-services, each test in a schema of its own.
#include "archive/catalog_conformance.h"
#include "db/database.h"
#include "support/postgres_test_env.h"

namespace mv::testing {
namespace {

std::shared_ptr<db::Database> FreshPostgres() {
  return mv::testing::FreshPostgresSchema("mv_catalog");
}

INSTANTIATE_TEST_SUITE_P(Postgres, CatalogConformance,
                         ::testing::Values(CatalogFactory{"postgres", FreshPostgres}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::testing
