#include "util/task_group.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace mv {

TaskGroup::TaskGroup(ThreadPool& pool, TaskGroupOptions options)
    : pool_(pool),
      max_in_flight_(std::max<size_t>(1, options.max_in_flight)),
      cancel_on_failure_(options.cancel_on_failure) {}

TaskGroup::~TaskGroup() { Wait().IgnoreError(); }

bool TaskGroup::Run(std::function<Status()> fn) {
  {
    util::MutexLock lock(mu_);
    while (in_flight_ >= max_in_flight_ && !cancelled()) cv_.wait(lock.native());
    if (cancelled()) return false;
    ++in_flight_;
  }
  bool posted = pool_.Post([this, fn = std::move(fn)] { Execute(fn); });
  if (!posted) {
    Finish(Unavailable("the thread pool shut down before the task could start"),
           /*skipped=*/false);
  }
  return posted;
}

void TaskGroup::Execute(const std::function<Status()>& fn) {
  if (cancelled()) {
    Finish(Status::Ok(), /*skipped=*/true);
    return;
  }
  Status status;
  try {
    status = fn();
  } catch (const std::exception& e) {
    status = Internal(std::string("task threw an exception: ") + e.what());
  } catch (...) {
    status = Internal("task threw an exception that is not a std::exception");
  }
  Finish(std::move(status), /*skipped=*/false);
}

void TaskGroup::Finish(Status status, bool skipped) {
  util::MutexLock lock(mu_);
  if (skipped) {
    ++stats_.skipped;
  } else if (status.ok()) {
    ++stats_.succeeded;
  } else {
    ++stats_.failed;
    if (first_error_.ok()) first_error_ = std::move(status);
    if (cancel_on_failure_) cancelled_.store(true, std::memory_order_release);
  }
  --in_flight_;
  // Notified under the lock: once Wait() can see in_flight_ == 0 the group may be destroyed,
  // so nothing here may touch it after the lock is released.
  cv_.notify_all();
}

Status TaskGroup::Wait() {
  util::MutexLock lock(mu_);
  while (in_flight_ != 0) cv_.wait(lock.native());
  return first_error_;
}

void TaskGroup::Cancel(Status reason) {
  util::MutexLock lock(mu_);
  if (first_error_.ok() && !reason.ok()) first_error_ = std::move(reason);
  cancelled_.store(true, std::memory_order_release);
  cv_.notify_all();  // wakes producers blocked in Run()
}

TaskGroup::Stats TaskGroup::stats() const {
  util::MutexLock lock(mu_);
  return stats_;
}

Status ParallelFor(ThreadPool& pool, size_t n, const std::function<Status(size_t)>& fn,
                   TaskGroupOptions options) {
  TaskGroup group(pool, options);
  for (size_t i = 0; i < n; ++i) {
    if (!group.Run([&fn, i] { return fn(i); })) break;
  }
  return group.Wait();
}

Status ParallelFor(size_t n, const std::function<Status(size_t)>& fn, TaskGroupOptions options) {
  if (n == 0) return Status::Ok();
  ThreadPool pool({.threads = std::min(n, std::max<size_t>(1, options.max_in_flight))});
  return ParallelFor(pool, n, fn, options);
}

}  // namespace mv
