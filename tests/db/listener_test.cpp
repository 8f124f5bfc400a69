// The SQLite side of db/listener.h: a commit by another connection (another process, in
// production) wakes the listener; nothing else does; a URL of no database kind is refused.
// The PostgreSQL side is tested on the real server (tests/integration/jobs_queue_postgres_test).
#include "db/listener.h"

#include <gtest/gtest.h>

#include <chrono>

#include "db/database.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"

namespace mv::db {
namespace {

using namespace std::chrono_literals;

TEST(SqliteListener, AnotherConnectionsCommitWakesIt) {
  mv::testing::TempDir dir;
  const std::string url = "sqlite://" + dir.path() + "/c.db";
  auto writer_db = OpenDatabase(url);
  MV_ASSERT_OK(writer_db);
  auto writer = (*writer_db)->Acquire();
  MV_ASSERT_OK(writer);
  MV_ASSERT_OK((*writer)->ExecuteScript("CREATE TABLE t (x INTEGER)"));
  auto listener = Listen(url, "mirrorvault_jobs");
  MV_ASSERT_OK(listener);
  auto quiet = (*listener)->Wait(200ms);
  MV_ASSERT_OK(quiet);
  EXPECT_FALSE(*quiet) << "woken with nothing committed";
  const db::Value one[] = {int64_t{1}};
  MV_ASSERT_OK((*writer)->Execute("INSERT INTO t VALUES ($1)", one));
  const auto t0 = std::chrono::steady_clock::now();
  auto woken = (*listener)->Wait(5s);
  MV_ASSERT_OK(woken);
  EXPECT_TRUE(*woken);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  auto again = (*listener)->Wait(200ms);
  MV_ASSERT_OK(again);
  EXPECT_FALSE(*again) << "one commit woke it twice";
  EXPECT_FALSE(Listen("mysql://h/db", "mirrorvault_jobs").ok());
}

}  // namespace
}  // namespace mv::db
