#include "util/thread_pool.h"

#include <algorithm>

namespace mv {
namespace {

// The pool whose worker the current thread is, if any.
thread_local const ThreadPool* current_pool = nullptr;

size_t ThreadCount(size_t requested) {
  if (requested > 0) return requested;
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

}  // namespace

ThreadPool::ThreadPool(ThreadPoolOptions options) : max_queued_(options.max_queued) {
  size_t n = ThreadCount(options.threads);
  workers_.reserve(n);
  for (size_t i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::InWorkerThread() const { return current_pool == this; }

size_t ThreadPool::queued() const {
  util::MutexLock lock(mu_);
  return queue_.size();
}

bool ThreadPool::Post(Task task) {
  bool from_worker = InWorkerThread();
  {
    util::MutexLock lock(mu_);
    if (!from_worker) {
      if (max_queued_ > 0) {
        while (!stopping_ && queue_.size() >= max_queued_) space_cv_.wait(lock.native());
      }
      if (stopping_) return false;
    }
    queue_.push_back(std::move(task));
  }
  work_cv_.notify_one();
  return true;
}

void ThreadPool::WorkerLoop() {
  current_pool = this;
  for (;;) {
    Task task;
    {
      util::MutexLock lock(mu_);
      while (!stopping_ && queue_.empty()) work_cv_.wait(lock.native());
      if (queue_.empty()) break;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    space_cv_.notify_one();
    task();
  }
  current_pool = nullptr;
}

void ThreadPool::Shutdown() {
  util::MutexLock join_lock(join_mu_);
  {
    util::MutexLock lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace mv
