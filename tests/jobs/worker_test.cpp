// The worker's loop pieces on SQLite with executors of the test's own (the real ones are run by
// tests/integration/jobs_test.sh): outcomes recorded, follow-up jobs queued, a cancellation
// reaching a running executor through the heartbeat, and scheduler ticks.
#include "jobs/worker.h"

#include <gtest/gtest.h>

#include <thread>

#include "jobs/job_admin.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"

namespace mv::jobs {
namespace {

using namespace std::chrono_literals;

// Runs `fn` for each job.
class FnExecutor final : public Executor {
 public:
  explicit FnExecutor(std::function<Result<JobOutcome>(const Job&, const std::atomic<bool>&)> fn)
      : fn_(std::move(fn)) {}
  Result<JobOutcome> Run(const Job& job, const std::atomic<bool>& stop) override {
    return fn_(job, stop);
  }

 private:
  std::function<Result<JobOutcome>(const Job&, const std::atomic<bool>&)> fn_;
};

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::OpenDatabase("sqlite://" + dir_.path() + "/catalog.db");
    ASSERT_TRUE(db.ok());
    auto q = JobQueue::Open(*db, {.lease = 150ms, .clock = &clock_});
    ASSERT_TRUE(q.ok());
    queue_ = std::move(*q);
  }
  std::unique_ptr<Worker> MakeWorker(
      std::function<Result<JobOutcome>(const Job&, const std::atomic<bool>&)> fn,
      std::vector<ArchiveJobs> schedule = {}) {
    std::map<JobKind, std::unique_ptr<Executor>> executors;
    executors[JobKind::kMirror] = std::make_unique<FnExecutor>(fn);
    executors[JobKind::kPublish] = std::make_unique<FnExecutor>(
        [](const Job&, const std::atomic<bool>&) -> Result<JobOutcome> {
          return JobOutcome{.summary = "published"};
        });
    return std::make_unique<Worker>(*queue_, std::move(executors),
                                    WorkerOptions{.name = "t", .schedule = std::move(schedule)});
  }

  mv::testing::TempDir dir_;
  ManualClock clock_;  // frozen: leases never expire by themselves here
  std::unique_ptr<JobQueue> queue_;
  std::atomic<bool> stop_{false};
};

TEST_F(WorkerTest, RecordsOutcomesAndQueuesFollowUps) {
  auto worker = MakeWorker([](const Job& job, const std::atomic<bool>&) -> Result<JobOutcome> {
    if (job.archive == "bad") return Unavailable("GET http://h/x: HTTP 503");
    return JobOutcome{
        .summary = "run X",
        .follow_ups = {
            NewJob{.kind = JobKind::kPublish, .archive = job.archive, .origin = "after mirror"}}};
  });
  auto good = queue_->Enqueue({.kind = JobKind::kMirror, .archive = "good", .origin = "t"});
  auto bad = queue_->Enqueue({.kind = JobKind::kMirror, .archive = "bad", .origin = "t"});
  MV_ASSERT_OK(good);
  MV_ASSERT_OK(bad);
  for (int i = 0; i < 3; ++i) {
    auto ran = worker->RunOne("t/0", stop_);
    MV_ASSERT_OK(ran);
    EXPECT_TRUE(*ran);
  }
  auto none = worker->RunOne("t/0", stop_);
  MV_ASSERT_OK(none);
  EXPECT_FALSE(*none);
  auto g = JobAdmin(*queue_).Show(*good);
  MV_ASSERT_OK(g);
  EXPECT_EQ(g->state, JobState::kSucceeded);
  EXPECT_EQ(g->result, "run X");
  auto b = JobAdmin(*queue_).Show(*bad);
  MV_ASSERT_OK(b);
  EXPECT_EQ(b->state, JobState::kRetryable);
  EXPECT_EQ(b->error_class, "http_5xx");
  auto publishes = JobAdmin(*queue_).List({.kind = JobKind::kPublish});
  MV_ASSERT_OK(publishes);
  ASSERT_EQ(publishes->size(), 1u);
  EXPECT_EQ((*publishes)[0].archive, "good");
  EXPECT_EQ((*publishes)[0].state, JobState::kSucceeded);
}

TEST_F(WorkerTest, ACancellationReachesTheRunningExecutor) {
  std::atomic<bool> saw_stop{false};
  auto worker = MakeWorker([&](const Job&, const std::atomic<bool>& stop) -> Result<JobOutcome> {
    for (int i = 0; i < 200 && !stop.load(); ++i) std::this_thread::sleep_for(10ms);
    saw_stop = stop.load();
    return Unavailable("stopped");
  });
  auto id = queue_->Enqueue({.kind = JobKind::kMirror, .archive = "a", .origin = "t"});
  MV_ASSERT_OK(id);
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(JobAdmin(*queue_).Cancel(*id, "op").ok());
  });
  auto ran = worker->RunOne("t/0", stop_);
  canceller.join();
  MV_ASSERT_OK(ran);
  EXPECT_TRUE(saw_stop.load()) << "the executor was not told to stop";
  auto job = JobAdmin(*queue_).Show(*id);
  MV_ASSERT_OK(job);
  EXPECT_EQ(job->state, JobState::kCancelled) << "the late failure overwrote the cancellation";
}

TEST_F(WorkerTest, TicksEnqueueDueArchivesOnce) {
  auto worker = MakeWorker(
      [](const Job&, const std::atomic<bool>&) -> Result<JobOutcome> { return JobOutcome{}; },
      {ArchiveJobs{.archive = "a", .every = 1h}, ArchiveJobs{.archive = "on-demand"}});
  auto first = worker->Tick();
  MV_ASSERT_OK(first);
  EXPECT_EQ(*first, 1);
  auto again = worker->Tick();
  MV_ASSERT_OK(again);
  EXPECT_EQ(*again, 0) << "the same tick twice";
  auto jobs = JobAdmin(*queue_).List({});
  MV_ASSERT_OK(jobs);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].archive, "a");
  EXPECT_EQ((*jobs)[0].origin, "schedule");
}

}  // namespace
}  // namespace mv::jobs
