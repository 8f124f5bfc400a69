#include "util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <thread>

namespace mv {
namespace {

using namespace std::chrono_literals;

// A gate that tasks wait on until the test opens it.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(ThreadPoolTest, ReturnsResultsThroughFutures) {
  ThreadPool pool({.threads = 3});
  EXPECT_EQ(pool.threads(), 3u);
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 50; ++i) futures.push_back(pool.Submit([i] { return i * i; }));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(futures[i].get(), i * i);
  // Move-only callables and results are fine.
  auto p = std::make_unique<int>(7);
  std::future<std::unique_ptr<int>> f =
      pool.Submit([p = std::move(p)]() mutable { return std::move(p); });
  EXPECT_EQ(*f.get(), 7);
}

TEST(ThreadPoolTest, DefaultSizeIsAtLeastOne) {
  ThreadPool pool;
  EXPECT_GE(pool.threads(), 1u);
}

TEST(ThreadPoolTest, RunsTasksConcurrentlyOnEveryThread) {
  ThreadPool pool({.threads = 4});
  // Each task waits until all four have started: completes only if four run at once.
  std::latch all_started(4);
  std::vector<std::future<void>> futures;
  for (int i = 0; i < 4; ++i) {
    futures.push_back(pool.Submit([&] { all_started.arrive_and_wait(); }));
  }
  for (auto& f : futures) ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
}

TEST(ThreadPoolTest, ExceptionsReachTheFuture) {
  ThreadPool pool({.threads = 1});
  auto f = pool.Submit([]() -> int { throw std::runtime_error("boom"); });
  EXPECT_THROW(f.get(), std::runtime_error);
  // The worker survived.
  EXPECT_EQ(pool.Submit([] { return 1; }).get(), 1);
}

TEST(ThreadPoolTest, InWorkerThread) {
  ThreadPool pool({.threads = 1});
  ThreadPool other({.threads = 1});
  EXPECT_FALSE(pool.InWorkerThread());
  EXPECT_TRUE(pool.Submit([&] { return pool.InWorkerThread(); }).get());
  EXPECT_FALSE(other.Submit([&] { return pool.InWorkerThread(); }).get());
}

TEST(ThreadPoolTest, BoundedQueueBlocksProducers) {
  ThreadPool pool({.threads = 1, .max_queued = 2});
  Gate gate;
  std::latch running(1);
  auto blocker = pool.Submit([&] {
    running.count_down();
    gate.Wait();
  });
  running.wait();  // the worker is busy: everything else queues
  auto a = pool.Submit([] { return 1; });
  auto b = pool.Submit([] { return 2; });
  EXPECT_EQ(pool.queued(), 2u);

  std::atomic<bool> submitted{false};
  std::thread producer([&] {
    auto c = pool.Submit([] { return 3; });
    submitted = true;
    EXPECT_EQ(c.get(), 3);
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(submitted.load()) << "Submit() returned while the queue was full";
  EXPECT_EQ(pool.queued(), 2u);
  gate.Open();
  producer.join();
  EXPECT_TRUE(submitted.load());
  EXPECT_EQ(a.get() + b.get(), 3);
}

TEST(ThreadPoolTest, DestructorDrainsAcceptedTasks) {
  std::atomic<int> done{0};
  {
    ThreadPool pool({.threads = 2});
    for (int i = 0; i < 200; ++i) {
      (void)pool.Submit([&] {
        std::this_thread::sleep_for(100us);
        ++done;
      });
    }
  }
  EXPECT_EQ(done.load(), 200);
}

TEST(ThreadPoolTest, SubmitAfterShutdownBreaksThePromise) {
  ThreadPool pool({.threads = 1});
  pool.Shutdown();
  pool.Shutdown();  // idempotent
  auto f = pool.Submit([] { return 1; });
  try {
    f.get();
    FAIL() << "a task submitted after Shutdown() ran";
  } catch (const std::future_error& e) {
    EXPECT_EQ(e.code(), std::future_errc::broken_promise);
  }
  EXPECT_FALSE(pool.Post([] {}));
}

TEST(ThreadPoolTest, WorkersMaySubmitBeyondTheBoundAndDuringShutdown) {
  std::atomic<int> links{0};
  std::function<void(int)> link;  // outlives the pool, whose tasks call it
  {
    ThreadPool pool({.threads = 1, .max_queued = 1});
    // Each link submits the next from the worker: with a queue of one and a single worker this
    // would deadlock if workers were held to the bound, and would be cut short if follow-ups
    // were refused during shutdown.
    link = [&](int left) {
      ++links;
      if (left > 0) {
        (void)pool.Submit([&, left] { link(left - 1); });
        (void)pool.Submit([] {});  // a second one: beyond the bound of 1
      }
    };
    (void)pool.Submit([&] {
      std::this_thread::sleep_for(20ms);  // let the destructor start shutting down
      link(20);
    });
  }
  EXPECT_EQ(links.load(), 21);
}

TEST(ThreadPoolTest, ShutdownReleasesBlockedProducers) {
  ThreadPool pool({.threads = 1, .max_queued = 1});
  Gate gate;
  std::latch running(1);
  auto blocker = pool.Submit([&] {
    running.count_down();
    gate.Wait();
  });
  running.wait();
  auto queued = pool.Submit([] { return 1; });  // fills the queue

  std::future<int> refused;
  std::thread producer([&] { refused = pool.Submit([] { return 2; }); });
  std::this_thread::sleep_for(20ms);  // the producer is blocked on the full queue
  std::thread stopper([&] { pool.Shutdown(); });
  producer.join();  // returns only because Shutdown() woke it
  EXPECT_THROW(refused.get(), std::future_error);
  gate.Open();
  stopper.join();
  EXPECT_EQ(queued.get(), 1);  // accepted before shutdown: drained
}

}  // namespace
}  // namespace mv
