// The job queue's conformance suite on SQLite (a file per test, as workers share one).
#include <filesystem>

#include "queue_conformance.h"
#include "support/temp_dir.h"

namespace mv::jobs {
namespace {

std::shared_ptr<db::Database> FreshSqlite() {
  static auto* dir = new mv::testing::TempDir();
  static int n = 0;
  auto db = db::OpenDatabase("sqlite://" + dir->path() + "/jobs" + std::to_string(++n) + ".db");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? *db : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, JobQueueConformance,
                         ::testing::Values(QueueDatabaseFactory{"sqlite", FreshSqlite}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::jobs
