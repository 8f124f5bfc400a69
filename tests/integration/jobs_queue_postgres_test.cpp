// The job queue's conformance suite (tests/jobs/queue_conformance.cpp) on the real PostgreSQL
// server of scripts/test-services, each test in a schema of its own: FOR UPDATE SKIP LOCKED
// claims, the partial unique index, and concurrent claimers on real connections.
#include "db/database.h"
#include "db/listener.h"
#include "jobs/queue_conformance.h"
#include "support/postgres_test_env.h"

namespace mv::jobs {
namespace {

std::shared_ptr<db::Database> FreshPostgres() {
  return mv::testing::FreshPostgresSchema("mv_jobs");
}

INSTANTIATE_TEST_SUITE_P(Postgres, JobQueueConformance,
                         ::testing::Values(QueueDatabaseFactory{"postgres", FreshPostgres}),
                         [](const auto& param_info) { return param_info.param.name; });

// Workers wake on NOTIFY: an enqueue (in its transaction) reaches a listener at once; nothing
// else wakes it.
TEST(JobNotifications, AnEnqueueWakesAListener) {
  const std::string url = mv::testing::PostgresTestUrl();
  auto listener = db::Listen(url, "mirrorvault_jobs");
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  auto quiet = (*listener)->Wait(std::chrono::milliseconds(300));
  ASSERT_TRUE(quiet.ok()) << quiet.status().ToString();
  EXPECT_FALSE(*quiet) << "woken with nothing enqueued";
  auto database = FreshPostgres();
  ASSERT_NE(database, nullptr);
  auto queue = JobQueue::Open(database);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_TRUE((*queue)->Enqueue({.kind = JobKind::kNoop, .archive = "a", .origin = "t"}).ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto woken = (*listener)->Wait(std::chrono::seconds(5));
  ASSERT_TRUE(woken.ok()) << woken.status().ToString();
  EXPECT_TRUE(*woken);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

}  // namespace
}  // namespace mv::jobs
