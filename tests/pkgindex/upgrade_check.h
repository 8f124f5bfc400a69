// The package index's version-2 upgrade, for a Database of either dialect: a catalog whose index
// is at version 1 (sources from Sources indexes only) learns, when opened, the source package
// every binary names. Used by package_index_test (SQLite) and pkgindex_postgres_test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/migrations.h"
#include "pkgindex/package_index.h"
#include "pkgindex/schema.h"

namespace mv::testing {

inline void CheckVersionTwoUpgrade(std::shared_ptr<db::Database> database) {
  ASSERT_NE(database, nullptr);
  ASSERT_TRUE(db::Migrate(*database, "pkgindex", pkgindex::PackageIndexMigrations().first(1)).ok());
  {
    auto conn = database->Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    for (const char* sql :
         {"INSERT INTO pkg_sources(name, version) VALUES ('hello', '1.0')",
          "INSERT INTO pkg_binaries(name, version, source, source_version) VALUES "
          "('hello', '1.0', 'hello', '1.0'), ('libbsd0', '0.11.7-2', 'libbsd', '0.11.7-2'), "
          "('libbsd-dev', '0.11.7-2', 'libbsd', '0.11.7-2'), "
          "('libcap2-bin', '2.66-4+b1', 'libcap2', '1:2.66-4')"}) {
      auto done = (*conn)->Execute(sql);
      ASSERT_TRUE(done.ok()) << sql << ": " << done.status().ToString();
    }
  }
  auto index = pkgindex::PackageIndex::Open(database);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto names = (*index)->SourceNames();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"hello", "libbsd", "libcap2"}));
  EXPECT_EQ(*(*index)->SourceVersions("libcap2"), (std::vector<std::string>{"1:2.66-4"}));
  EXPECT_EQ(*(*index)->SourceVersions("libbsd"), (std::vector<std::string>{"0.11.7-2"}));
  EXPECT_EQ(*(*index)->SourceVersions("hello"), (std::vector<std::string>{"1.0"}));
}

}  // namespace mv::testing
