// TaskGroup and ParallelFor: run many Status-returning tasks on a ThreadPool with at most K in
// flight, and get back the first failure (`store cp --recursive --concurrency K`).
//
// The in-flight limit also bounds memory: Run() blocks the producer (say, a bucket listing) until
// a slot is free, so work is produced as fast as it is done.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_pool.h"

namespace mv {

struct TaskGroupOptions {
  // Tasks queued or running at once; 0 is taken as 1. The pool's thread count bounds how many
  // actually run at the same time.
  size_t max_in_flight = 1;
  // After the first failure, tasks not yet started are skipped and Run() refuses new ones.
  // Tasks already running finish (they may poll cancelled() to stop early).
  bool cancel_on_failure = true;
};

// Thread safety: Run() and Cancel() may be called from any thread except the pool's own workers
// (a worker blocked in Run() or Wait() holds a thread the group's tasks may need). Wait() may be
// called more than once.
class TaskGroup {
 public:
  // `pool` must outlive the group.
  TaskGroup(ThreadPool& pool, TaskGroupOptions options);
  // Waits for every started task; the result is discarded (call Wait() to see it).
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `fn` on the pool once fewer than max_in_flight tasks are in flight (blocking until
  // then). Returns false, without running fn, when the group is cancelled; producers should stop
  // then. An exception thrown by fn counts as an Internal failure naming it.
  bool Run(std::function<Status()> fn);

  // Waits until no task is in flight and returns the first failure in completion order (or the
  // reason given to Cancel(), if that came first); OK when every task succeeded.
  Status Wait();

  // Cancels the group: tasks not yet started are skipped, Run() refuses new ones. `reason`
  // (when not OK) becomes Wait()'s result unless a task failed first.
  void Cancel(Status reason);
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  struct Stats {
    size_t succeeded = 0;
    size_t failed = 0;
    size_t skipped = 0;  // accepted by Run() but cancelled before they started
  };
  Stats stats() const;

 private:
  void Execute(const std::function<Status()>& fn);
  void Finish(Status status, bool skipped);

  ThreadPool& pool_;
  const size_t max_in_flight_;
  const bool cancel_on_failure_;
  std::atomic<bool> cancelled_{false};
  mutable util::Mutex mu_;
  std::condition_variable cv_;
  size_t in_flight_ GUARDED_BY(mu_) = 0;
  Status first_error_ GUARDED_BY(mu_);
  Stats stats_ GUARDED_BY(mu_);
};

// Runs fn(0) ... fn(n-1) in a TaskGroup on `pool`; stops producing once the group is cancelled.
// Returns the first failure, as TaskGroup::Wait(). REQUIRES: not called from a worker of `pool`.
Status ParallelFor(ThreadPool& pool, size_t n, const std::function<Status(size_t)>& fn,
                   TaskGroupOptions options);

// The same on a pool of its own with min(n, max_in_flight) threads, joined before returning.
Status ParallelFor(size_t n, const std::function<Status(size_t)>& fn, TaskGroupOptions options);

}  // namespace mv
