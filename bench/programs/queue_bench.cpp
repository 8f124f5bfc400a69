// Queue throughput of the import service (bench/jobs drives it): JOBS no-op jobs enqueued (one
// archive each), then WORKERS threads, each with its own connection, claim and complete them as
// a worker slot does (Claim, then Succeed) until none is left. Prints one line of key=value:
// enqueue and claim rates, and a check that every job was claimed exactly once.
//
//   queue_bench --catalog URL --workers N --jobs M
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/database.h"
#include "jobs/queue.h"

namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

int Fail(const mv::Status& st) {
  std::fprintf(stderr, "queue_bench: %s\n", st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string catalog;
  int workers = 1, jobs = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--catalog") == 0) catalog = argv[i + 1];
    if (std::strcmp(argv[i], "--workers") == 0) workers = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--jobs") == 0) jobs = std::atoi(argv[i + 1]);
  }
  if (catalog.empty() || workers < 1 || jobs < 1) {
    std::fprintf(stderr, "usage: queue_bench --catalog URL --workers N --jobs M\n");
    return 2;
  }
  auto db =
      mv::db::OpenDatabase(catalog, {.max_idle_connections = static_cast<size_t>(workers) + 2});
  if (!db.ok()) return Fail(db.status());
  auto queue = mv::jobs::JobQueue::Open(*db);
  if (!queue.ok()) return Fail(queue.status());
  mv::jobs::JobQueue& q = **queue;

  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < jobs; ++i) {
    auto id = q.Enqueue({.kind = mv::jobs::JobKind::kNoop,
                         .archive = "bench" + std::to_string(i),
                         .origin = "bench"});
    if (!id.ok()) return Fail(id.status());
  }
  const auto t1 = std::chrono::steady_clock::now();

  std::mutex mu;
  std::set<int64_t> seen;
  std::atomic<int64_t> claimed{0}, duplicates{0}, busy{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      const std::string me = "bench/" + std::to_string(w);
      while (!failed.load()) {
        auto job = q.Claim(me);
        if (!job.ok()) {
          if (job.status().retryable()) {  // SQLite busy: the way a worker meets contention
            ++busy;
            continue;
          }
          std::fprintf(stderr, "queue_bench: claim: %s\n", job.status().ToString().c_str());
          failed = true;
          return;
        }
        if (!job->has_value()) return;
        mv::Status st = q.Succeed((*job)->id, me, "");
        while (!st.ok() && st.retryable()) {
          ++busy;
          st = q.Succeed((*job)->id, me, "");
        }
        if (!st.ok()) {
          std::fprintf(stderr, "queue_bench: succeed: %s\n", st.ToString().c_str());
          failed = true;
          return;
        }
        ++claimed;
        std::lock_guard lock(mu);
        if (!seen.insert((*job)->id).second) ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto t2 = std::chrono::steady_clock::now();
  if (failed.load()) return 1;
  std::printf(
      "workers=%d jobs=%d enqueue_per_s=%.0f claims_per_s=%.0f claimed=%lld "
      "duplicates=%lld busy_retries=%lld\n",
      workers, jobs, jobs / Seconds(t1 - t0), claimed.load() / Seconds(t2 - t1),
      static_cast<long long>(claimed.load()), static_cast<long long>(duplicates.load()),
      static_cast<long long>(busy.load()));
  return claimed.load() == jobs && duplicates.load() == 0 ? 0 : 1;
}
