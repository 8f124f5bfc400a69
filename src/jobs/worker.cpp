#include "jobs/worker.h"

#include <thread>

#include "db/listener.h"
#include "jobs/job_stats.h"
#include "util/log.h"

namespace mv::jobs {

Worker::Worker(JobQueue& queue, std::map<JobKind, std::unique_ptr<Executor>> executors,
               WorkerOptions options)
    : queue_(queue), executors_(std::move(executors)), options_(std::move(options)) {}

void Worker::Wake() {
  {
    util::MutexLock lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

void Worker::Idle(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  util::MutexLock lock(mu_);
  const uint64_t seen = wakeups_;
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (wakeups_ == seen && !stop.load()) {
    if (cv_.wait_until(lock.native(), deadline) == std::cv_status::timeout) break;
  }
}

Result<bool> Worker::RunOne(const std::string& slot, const std::atomic<bool>& stop) {
  MV_ASSIGN_OR_RETURN(std::optional<Job> claimed, queue_.Claim(slot));
  if (!claimed) return false;
  const Job& job = *claimed;
  const std::string id = std::to_string(job.id);
  LogInfo("job started", {{"job", id},
                          {"kind", JobKindName(job.kind)},
                          {"archive", job.archive},
                          {"attempt", job.attempt},
                          {"worker", slot}});
  const auto started = std::chrono::steady_clock::now();

  // The heartbeat renews the lease every third of it; a lost lease or a cancellation stops the
  // executor at its next check.
  std::atomic<bool> job_stop{false};
  util::Mutex hb_mu;
  std::condition_variable hb_cv;
  bool hb_done = false;  // under hb_mu
  std::thread heartbeat([&] {
    const auto every = std::max(queue_.options().lease / 3, std::chrono::milliseconds(50));
    for (;;) {
      {
        util::MutexLock lock(hb_mu);
        const auto deadline = std::chrono::steady_clock::now() + every;
        while (!hb_done &&
               hb_cv.wait_until(lock.native(), deadline) == std::cv_status::no_timeout) {
        }
        if (hb_done) return;
      }
      Status st = queue_.Heartbeat(job.id, slot);
      if (st.IsPreconditionFailed()) {
        LogWarn("job stopped", {{"job", id}, {"reason", st}});
        job_stop = true;
        return;
      }
      if (!st.ok()) LogWarn("heartbeat failed", {{"job", id}, {"error", st}});
    }
  });
  (void)stop;  // a running job finishes when the worker stops: its outcome is recorded

  Result<JobOutcome> outcome = InvalidArgument(
      "no executor for " + std::string(JobKindName(job.kind)) + " jobs in this worker");
  auto it = executors_.find(job.kind);
  if (it != executors_.end()) outcome = it->second->Run(job, job_stop);
  {
    util::MutexLock lock(hb_mu);
    hb_done = true;
  }
  hb_cv.notify_all();
  heartbeat.join();

  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (outcome.ok()) {
    Status st = queue_.Succeed(job.id, slot, outcome->summary);
    if (!st.ok()) {
      LogWarn("job outcome not recorded", {{"job", id}, {"error", st}});
      return true;
    }
    LogInfo(
        "job succeeded",
        {{"job", id}, {"archive", job.archive}, {"seconds", secs}, {"result", outcome->summary}});
    for (const NewJob& next : outcome->follow_ups) {
      Result<int64_t> added = queue_.Enqueue(next);
      if (added.ok()) {
        Wake();
      } else if (!added.status().IsAlreadyExists()) {
        LogWarn("follow-up job not enqueued", {{"job", id}, {"error", added.status()}});
      }
    }
    return true;
  }
  Result<JobState> state = queue_.Fail(job.id, slot, outcome.status());
  if (!state.ok()) {
    LogWarn("job outcome not recorded", {{"job", id}, {"error", state.status()}});
    return true;
  }
  const ErrorClass cls = Classify(outcome.status());
  LogWarn(*state == JobState::kFailed ? "job failed" : "job will be retried",
          {{"job", id},
           {"archive", job.archive},
           {"attempt", job.attempt},
           {"class", cls.name},
           {"seconds", secs},
           {"error", outcome.status()}});
  return true;
}

Result<int> Worker::Tick() {
  int enqueued = 0;
  for (const ArchiveJobs& a : options_.schedule) {
    if (!a.every) continue;
    MV_ASSIGN_OR_RETURN(bool due, queue_.TakeTick(a.archive, *a.every));
    if (!due) continue;
    Result<int64_t> added = queue_.Enqueue({.kind = a.kind,
                                            .archive = a.archive,
                                            .max_attempts = a.max_attempts,
                                            .origin = "schedule",
                                            .host = a.host});
    if (added.ok()) {
      ++enqueued;
    } else if (added.status().IsAlreadyExists()) {
      // The previous tick's job is still active: this tick is absorbed by it.
      LogInfo("tick skipped", {{"archive", a.archive}, {"reason", added.status().message()}});
    } else {
      return added.status();
    }
  }
  if (enqueued > 0) Wake();
  return enqueued;
}

void Worker::SlotLoop(int index, const std::atomic<bool>& stop) {
  const std::string slot = options_.name + "/" + std::to_string(index);
  while (!stop.load()) {
    Result<bool> ran = RunOne(slot, stop);
    if (!ran.ok()) {
      LogWarn("claim failed", {{"worker", slot}, {"error", ran.status()}});
      Idle(options_.poll, stop);
    } else if (!*ran) {
      Idle(options_.poll, stop);
    }
  }
}

void Worker::SchedulerLoop(const std::atomic<bool>& stop) {
  auto last_baseline = std::chrono::steady_clock::time_point{};
  while (!stop.load()) {
    if (Result<int> rescued = queue_.RescueExpired(); !rescued.ok()) {
      LogWarn("rescue failed", {{"error", rescued.status()}});
    } else if (*rescued > 0) {
      LogWarn("jobs rescued from expired leases", {{"jobs", *rescued}});
      Wake();
    }
    if (Result<int> ticked = Tick(); !ticked.ok()) {
      LogWarn("scheduler tick failed", {{"error", ticked.status()}});
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_baseline >= std::chrono::minutes(10)) {
      if (Status st = JobStats(queue_).RecordBaseline(); !st.ok()) {
        LogWarn("baseline not recorded", {{"error", st}});
      }
      if (options_.keep_history.count() > 0) {
        Result<int64_t> pruned = queue_.Prune(options_.keep_history);
        if (!pruned.ok()) {
          LogWarn("job history not pruned", {{"error", pruned.status()}});
        } else if (*pruned > 0) {
          LogInfo("job history pruned", {{"jobs", *pruned}, {"older_than", options_.keep_history}});
        }
      }
      last_baseline = now;
    }
    util::MutexLock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + options_.tick;
    while (!stop.load()) {
      if (cv_.wait_until(lock.native(), deadline) == std::cv_status::timeout) break;
    }
  }
}

void Worker::ListenLoop(const std::atomic<bool>& stop) {
  std::unique_ptr<db::Listener> listener;
  while (!stop.load()) {
    if (!listener) {
      Result<std::unique_ptr<db::Listener>> opened =
          db::Listen(options_.listen_url, "mirrorvault_jobs");
      if (!opened.ok()) {
        LogWarn("not listening for job notifications (polling)", {{"error", opened.status()}});
        Idle(options_.poll * 5, stop);
        continue;
      }
      listener = std::move(*opened);
    }
    Result<bool> got = listener->Wait(std::chrono::milliseconds(500));
    if (!got.ok()) {
      listener.reset();
    } else if (*got) {
      Wake();
    }
  }
}

void Worker::Run(const std::atomic<bool>& stop) {
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(options_.concurrency, 1); ++i) {
    threads.emplace_back([this, i, &stop] { SlotLoop(i, stop); });
  }
  threads.emplace_back([this, &stop] { SchedulerLoop(stop); });
  if (!options_.listen_url.empty()) threads.emplace_back([this, &stop] { ListenLoop(stop); });
  // Stopping: wake every idle wait so that threads see `stop`.
  std::thread waker([this, &stop] {
    while (!stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Wake();
  });
  for (auto& t : threads) t.join();
  waker.join();
}

}  // namespace mv::jobs
