#include "util/task_group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mv {
namespace {

using namespace std::chrono_literals;

TEST(TaskGroupTest, RunsEverythingWithAtMostKInFlight) {
  ThreadPool pool({.threads = 8});
  std::atomic<int> running{0}, peak{0}, done{0};
  Status s = ParallelFor(pool, 40,
                         [&](size_t) {
                           int now = ++running;
                           int seen = peak.load();
                           while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                           }
                           std::this_thread::sleep_for(5ms);
                           --running;
                           ++done;
                           return Status::Ok();
                         },
                         {.max_in_flight = 3});
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(done.load(), 40);
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(peak.load(), 3);  // 8 threads and 5ms tasks: the limit, not the pool, bounds it
}

TEST(TaskGroupTest, FirstFailureCancelsTasksNotYetStarted) {
  std::atomic<int> ran{0};
  Status s = ParallelFor(10,
                         [&](size_t i) {
                           ++ran;
                           return i == 3 ? NotFound("item 3") : Status::Ok();
                         },
                         {.max_in_flight = 1});  // one at a time: deterministic order
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "item 3");
  EXPECT_EQ(ran.load(), 4);
}

TEST(TaskGroupTest, WithoutCancellationEverythingRunsAndTheFirstFailureWins) {
  std::atomic<int> ran{0};
  Status s = ParallelFor(10,
                         [&](size_t i) {
                           ++ran;
                           if (i == 3) return NotFound("item 3");
                           if (i == 7) return PermissionDenied("item 7");
                           return Status::Ok();
                         },
                         {.max_in_flight = 1, .cancel_on_failure = false});
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(ran.load(), 10);
}

TEST(TaskGroupTest, RunRefusesOnceCancelledAndCountsSkipped) {
  ThreadPool pool({.threads = 1});
  TaskGroup group(pool, {.max_in_flight = 5});
  std::latch started(1), release(1);
  std::atomic<int> ran{0};
  ASSERT_TRUE(group.Run([&] {
    started.count_down();
    release.wait();
    ++ran;
    return Status::Ok();
  }));
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(group.Run([&] {
      ++ran;
      return Status::Ok();
    }));
  }
  started.wait();  // the first task is past the cancellation check; the other four are queued
  group.Cancel(Unavailable("interrupted"));
  EXPECT_TRUE(group.cancelled());
  EXPECT_FALSE(group.Run([&] {
    ++ran;
    return Status::Ok();
  }));
  release.count_down();
  Status s = group.Wait();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "interrupted");
  EXPECT_EQ(ran.load(), 1);
  TaskGroup::Stats stats = group.stats();
  EXPECT_EQ(stats.succeeded, 1u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.skipped, 4u);
}

TEST(TaskGroupTest, RunningTasksSeeCancellation) {
  ThreadPool pool({.threads = 2});
  TaskGroup group(pool, {.max_in_flight = 2});
  std::latch long_started(1);
  ASSERT_TRUE(group.Run([&] {
    long_started.count_down();
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!group.cancelled()) {
      if (std::chrono::steady_clock::now() > deadline) return Internal("never cancelled");
      std::this_thread::sleep_for(1ms);
    }
    return Status::Ok();
  }));
  long_started.wait();
  ASSERT_TRUE(group.Run([] { return Corruption("bad block"); }));
  Status s = group.Wait();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
}

TEST(TaskGroupTest, ExceptionsBecomeInternalFailures) {
  Status s = ParallelFor(3,
                         [](size_t i) -> Status {
                           if (i == 1) throw std::runtime_error("disk on fire");
                           return Status::Ok();
                         },
                         {.max_in_flight = 1});
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("disk on fire"), std::string::npos) << s.message();
}

TEST(TaskGroupTest, PoolShutDownFailsTheTask) {
  ThreadPool pool({.threads = 1});
  pool.Shutdown();
  TaskGroup group(pool, {.max_in_flight = 2});
  EXPECT_FALSE(group.Run([] { return Status::Ok(); }));
  Status s = group.Wait();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(group.stats().failed, 1u);
}

TEST(TaskGroupTest, EmptyAndZeroLimit) {
  EXPECT_TRUE(ParallelFor(0, [](size_t) { return Internal("never"); }, {}).ok());
  std::atomic<size_t> sum{0};
  Status s = ParallelFor(100,
                         [&](size_t i) {
                           sum += i;
                           return Status::Ok();
                         },
                         {.max_in_flight = 0});  // taken as 1
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(sum.load(), 4950u);
}

TEST(TaskGroupTest, DestructorWaitsForTasks) {
  ThreadPool pool({.threads = 2});
  std::atomic<int> done{0};
  {
    TaskGroup group(pool, {.max_in_flight = 4});
    for (int i = 0; i < 8; ++i) {
      group.Run([&] {
        std::this_thread::sleep_for(2ms);
        ++done;
        return Status::Ok();
      });
    }
  }
  EXPECT_EQ(done.load(), 8);
}

}  // namespace
}  // namespace mv
