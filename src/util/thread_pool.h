// ThreadPool: a fixed set of worker threads running submitted callables in FIFO order.
//
// Thread safety: all methods may be called from any thread. Shutdown() and the destructor must
// not be called from one of the pool's own threads (a worker cannot join itself).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "util/mutex.h"

namespace mv {

struct ThreadPoolOptions {
  // Worker threads; 0 means std::thread::hardware_concurrency() (at least 1).
  size_t threads = 0;
  // Tasks waiting to start; when that many are queued, Submit() blocks until a worker takes one,
  // so a fast producer cannot queue millions of tasks. 0 means unbounded.
  size_t max_queued = 0;
};

class ThreadPool {
 public:
  explicit ThreadPool(ThreadPoolOptions options = {});
  // Drains: runs every task already accepted, then joins the workers (see Shutdown()).
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `fn()` and returns the future of its result; an exception thrown by fn is stored in
  // the future. Blocks while the queue is full, except when called from one of this pool's own
  // workers: a task may always submit follow-up work, even beyond the bound (otherwise a full
  // pool whose tasks submit would deadlock) and even during shutdown (so chains complete).
  // After Shutdown() began, a task submitted from outside the pool is dropped and its future
  // reports std::future_errc::broken_promise.
  template <typename F>
  auto Submit(F&& fn) -> std::future<std::invoke_result_t<std::decay_t<F>>>;

  // Like Submit() without a future: queues `task`, which must not throw (an escaping exception
  // ends the program). Returns false when the task was dropped because Shutdown() began; the
  // task (and what it captured) is then destroyed unrun before Post() returns.
  [[nodiscard]] bool Post(std::function<void()> task);

  // Stops accepting tasks from outside the pool, wakes producers blocked in Submit(), runs every
  // task already queued and joins the workers. Idempotent.
  void Shutdown();

  size_t threads() const { return workers_.size(); }
  // The number of tasks queued and not yet started (a snapshot).
  size_t queued() const;
  // True when called from one of this pool's worker threads.
  bool InWorkerThread() const;

 private:
  using Task = std::function<void()>;
  void WorkerLoop();

  const size_t max_queued_;
  mutable util::Mutex mu_;
  std::condition_variable work_cv_;   // workers wait for tasks or shutdown
  std::condition_variable space_cv_;  // producers wait for queue space
  std::deque<Task> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  util::Mutex join_mu_;  // serialises Shutdown() callers
  std::vector<std::thread> workers_;
};

template <typename F>
auto ThreadPool::Submit(F&& fn) -> std::future<std::invoke_result_t<std::decay_t<F>>> {
  using R = std::invoke_result_t<std::decay_t<F>>;
  // std::function needs a copyable callable; the packaged_task is shared, not copied.
  auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(fn));
  std::future<R> future = task->get_future();
  // When dropped, `task` dies unrun and the future reports broken_promise.
  (void)Post([task] { (*task)(); });
  return future;
}

}  // namespace mv
