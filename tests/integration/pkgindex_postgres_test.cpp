// The package index's schema upgrade on the real PostgreSQL server of scripts/test-services, in
// a schema of its own (tests/pkgindex/upgrade_check.h; SQLite runs it in package_index_test).
#include "pkgindex/upgrade_check.h"
#include "support/postgres_test_env.h"

namespace mv::testing {
namespace {

TEST(PackageIndexPostgres, VersionTwoUpgradesAnExistingIndex) {
  CheckVersionTwoUpgrade(FreshPostgresSchema("mv_pkgindex"));
}

}  // namespace
}  // namespace mv::testing
