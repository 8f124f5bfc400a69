// Worker: a process's share of the import service (`mirrorvault worker`). It runs `concurrency`
// job slots, each claiming a job (jobs/queue.h), running its executor outside any transaction
// while a heartbeat renews the lease, and recording the outcome; a scheduler that enqueues the
// mirror (or import) job of every [[archive]] whose `every` has come round; a rescuer that
// returns jobs whose worker died to the queue; and the daily baseline for `check`.
//
// Several workers, on one machine or many, share the catalog: claims, ticks and rescues are
// single statements or short transactions that two workers cannot both win. Idle slots wait for
// a change of the catalog (db/listener.h: a PostgreSQL notification, a SQLite commit by another
// process) or the poll interval, whichever comes first.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jobs/archive_jobs.h"
#include "jobs/executor.h"
#include "jobs/queue.h"
#include "util/mutex.h"

namespace mv::jobs {

struct WorkerOptions {
  std::string name;  // the lease holder ("host:pid"); each slot adds "/N"
  int concurrency = 1;
  std::chrono::milliseconds poll{2000};
  std::chrono::milliseconds tick{10000};  // how often the scheduler looks for due archives
  std::vector<ArchiveJobs> schedule;      // the archives with their `every`
  std::string listen_url;                 // the catalog's URL: wake on its changes ("": poll only)
  // Finished jobs (succeeded, cancelled) older than this are forgotten; 0: kept forever.
  std::chrono::milliseconds keep_history{std::chrono::hours(24 * 30)};
};

class Worker {
 public:
  Worker(JobQueue& queue, std::map<JobKind, std::unique_ptr<Executor>> executors,
         WorkerOptions options);

  // Runs the slots, the scheduler and the rescuer until `stop` is true; jobs running then finish
  // (their outcome recorded) before it returns.
  void Run(const std::atomic<bool>& stop);

  // Claims and runs one job in the calling thread as `slot`; false when none could be claimed.
  Result<bool> RunOne(const std::string& slot, const std::atomic<bool>& stop);
  // The scheduler once: enqueues the job of every due archive; how many were enqueued.
  Result<int> Tick();

  // Wakes idle slots (a notification arrived, or a job was enqueued in this process).
  void Wake();

 private:
  void SlotLoop(int index, const std::atomic<bool>& stop);
  void SchedulerLoop(const std::atomic<bool>& stop);
  void ListenLoop(const std::atomic<bool>& stop);
  // Waits up to `d` or until woken or stopping.
  void Idle(std::chrono::milliseconds d, const std::atomic<bool>& stop);

  JobQueue& queue_;
  std::map<JobKind, std::unique_ptr<Executor>> executors_;
  const WorkerOptions options_;
  util::Mutex mu_;
  std::condition_variable cv_;
  uint64_t wakeups_ GUARDED_BY(mu_) = 0;
};

}  // namespace mv::jobs
