// The job queue's conformance suite (tests/jobs/queue_conformance.cpp) on the real PostgreSQL
// server of scripts/test-services, each test in a schema of its own: FOR UPDATE SKIP LOCKED
// claims, the partial unique index, and concurrent claimers on real connections.
#include "db/database.h"
#include "jobs/queue_conformance.h"
#include "support/postgres_test_env.h"

namespace mv::jobs {
namespace {

std::shared_ptr<db::Database> FreshPostgres() {
  const std::string url = mv::testing::PostgresTestUrl();
  if (url.empty()) return nullptr;
  const std::string schema = mv::testing::UniqueSqlName("mv_jobs");
  auto admin = db::OpenDatabase(url);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  if (!admin.ok()) return nullptr;
  auto conn = (*admin)->Acquire();
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return nullptr;
  Status created = (*conn)->ExecuteScript("CREATE SCHEMA " + schema);
  EXPECT_TRUE(created.ok()) << created.ToString();
  auto db = db::OpenDatabase(mv::testing::WithSearchPath(url, schema));
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? *db : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Postgres, JobQueueConformance,
                         ::testing::Values(QueueDatabaseFactory{"postgres", FreshPostgres}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::jobs
