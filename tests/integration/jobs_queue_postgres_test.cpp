// The job queue's conformance suite (tests/jobs/queue_conformance.cpp) on the real PostgreSQL
// server of scripts/test-services, each test in a schema of its own: FOR UPDATE SKIP LOCKED
// claims, the partial unique index, and concurrent claimers on real connections.
#include "db/database.h"
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

}  // namespace
}  // namespace mv::jobs
