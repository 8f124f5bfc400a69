// The PostgreSQL server the integration tests use, as scripts/test-services describes it in the
// environment: MV_TEST_POSTGRES_URL (postgresql://mirrorvault:PASS@127.0.0.1:PORT/mirrorvault,
// a role that owns its database). A missing variable fails the test: integration tests never
// skip. Tests keep apart by working in schemas of their own (UniqueSqlName, WithSearchPath).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "db/database.h"
#include "support/require_env.h"

namespace mv::testing {

inline std::string PostgresTestUrl() { return RequireEnv("MV_TEST_POSTGRES_URL"); }

// A lower-case SQL identifier no other test run uses: "<what>_<random>".
inline std::string UniqueSqlName(const std::string& what) {
  static std::mt19937_64 rng{std::random_device{}()};
  return what + "_" + std::to_string(rng() % 1000000000000ull);
}

// `url` with the session's search_path set to `schema` (libpq's "options" parameter), so that
// unqualified table names land in that schema.
inline std::string WithSearchPath(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// A database whose connections work in a schema of their own, new and empty ("<what>_<random>"),
// on the test server; null (with a test failure) when it cannot be made.
inline std::shared_ptr<db::Database> FreshPostgresSchema(const std::string& what) {
  const std::string url = PostgresTestUrl();
  if (url.empty()) return nullptr;
  const std::string schema = UniqueSqlName(what);
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

}  // namespace mv::testing
