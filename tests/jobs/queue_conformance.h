// The job queue's conformance suite: its semantics (docs/design.md section 11) on one database,
// run on SQLite by the unit tests (queue_sqlite_test.cpp) and on the real PostgreSQL server by the
// integration tests. The parameter makes a fresh, empty database; time is a ManualClock.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "db/database.h"
#include "jobs/queue.h"
#include "util/clock.h"

namespace mv::jobs {

struct QueueDatabaseFactory {
  std::string name;
  std::function<std::shared_ptr<db::Database>()> make;
};
inline void PrintTo(const QueueDatabaseFactory& f, std::ostream* os) { *os << f.name; }

class JobQueueConformance : public ::testing::TestWithParam<QueueDatabaseFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<JobQueue> OpenQueue();  // another queue on the same database

  ManualClock clock_;
  std::shared_ptr<db::Database> database_;
  std::unique_ptr<JobQueue> queue_;
};

}  // namespace mv::jobs
