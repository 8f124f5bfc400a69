#include "queue_conformance.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "jobs/job_admin.h"
#include "jobs/job_stats.h"
#include "support/status_assert.h"

namespace mv::jobs {

using namespace std::chrono_literals;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(JobQueueConformance);

void JobQueueConformance::SetUp() {
  database_ = GetParam().make();
  ASSERT_NE(database_, nullptr);
  queue_ = OpenQueue();
  ASSERT_NE(queue_, nullptr);
}

std::unique_ptr<JobQueue> JobQueueConformance::OpenQueue() {
  QueueOptions options;
  options.clock = &clock_;
  options.lease = 60s;
  options.backoff = {.base = 10s, .cap = 80s};
  options.breaker_threshold = 3;
  options.breaker_cooldown = 120s;
  auto q = JobQueue::Open(database_, options);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? std::move(*q) : nullptr;
}

namespace {

NewJob Mirror(const std::string& archive, std::string host = "") {
  return {.kind = JobKind::kMirror,
          .archive = archive,
          .max_attempts = 3,
          .origin = "test",
          .host = std::move(host)};
}

}  // namespace

TEST_P(JobQueueConformance, ClaimTakesTheOldestCountsAnAttemptAndLeases) {
  auto a = queue_->Enqueue(Mirror("a"));
  MV_ASSERT_OK(a);
  clock_.Advance(1s);
  MV_ASSERT_OK(queue_->Enqueue(Mirror("b")));
  // A job for later is not claimed before its time.
  MV_ASSERT_OK(queue_->Enqueue({.kind = JobKind::kPublish,
                                .archive = "a",
                                .run_after = clock_.Now() + 1h,
                                .origin = "test"}));
  auto first = queue_->Claim("w1");
  MV_ASSERT_OK(first);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->id, *a);
  EXPECT_EQ((*first)->state, JobState::kRunning);
  EXPECT_EQ((*first)->attempt, 1);
  EXPECT_EQ((*first)->lease_holder, "w1");
  EXPECT_EQ(*(*first)->lease_expires, clock_.Now() + 60s);
  auto second = queue_->Claim("w2");
  MV_ASSERT_OK(second);
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->archive, "b");
  auto none = queue_->Claim("w3");
  MV_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  clock_.Advance(1h);
  auto later = queue_->Claim("w3");
  MV_ASSERT_OK(later);
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ((*later)->kind, JobKind::kPublish);
}

TEST_P(JobQueueConformance, OneActiveJobPerArchiveAndKind) {
  MV_ASSERT_OK(queue_->Enqueue(Mirror("a")));
  auto again = queue_->Enqueue(Mirror("a"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsAlreadyExists());
  EXPECT_NE(again.status().message().find("mirror job"), std::string::npos)
      << again.status().ToString();
  // Another kind, or another archive, is fine; after success a new one is too.
  MV_ASSERT_OK(queue_->Enqueue({.kind = JobKind::kPublish, .archive = "a", .origin = "t"}));
  MV_ASSERT_OK(queue_->Enqueue(Mirror("b")));
  auto job = queue_->Claim("w");
  MV_ASSERT_OK(job);
  MV_ASSERT_OK(queue_->Succeed((*job)->id, "w", "done"));
  MV_EXPECT_OK(queue_->Enqueue(Mirror("a")));
}

TEST_P(JobQueueConformance, ManyClaimersTakeEachJobExactlyOnce) {
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i) MV_ASSERT_OK(queue_->Enqueue(Mirror("arch" + std::to_string(i))));
  std::vector<std::unique_ptr<JobQueue>> queues;
  for (int i = 0; i < 4; ++i) queues.push_back(OpenQueue());
  std::mutex mu;
  std::map<int64_t, int> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string me = "w" + std::to_string(t);
      for (;;) {
        auto job = queues[t]->Claim(me);
        if (!job.ok()) continue;  // busy: try again
        if (!job->has_value()) return;
        EXPECT_TRUE(queues[t]->Succeed((*job)->id, me, "ok").ok());
        std::lock_guard lock(mu);
        ++claimed[(*job)->id];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, n] : claimed) EXPECT_EQ(n, 1) << "job " << id;
}

TEST_P(JobQueueConformance, TransientFailuresRetryWithBackoffThenPark) {
  MV_ASSERT_OK(queue_->Enqueue(Mirror("a")));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto job = queue_->Claim("w");
    MV_ASSERT_OK(job);
    ASSERT_TRUE(job->has_value()) << "attempt " << attempt;
    EXPECT_EQ((*job)->attempt, attempt);
    Status err = Unavailable("GET http://up/dists/x/InRelease: HTTP 503");
    if (attempt == 2) err = err.WithRetryAfter(70s);
    auto state = queue_->Fail((*job)->id, "w", err);
    MV_ASSERT_OK(state);
    if (attempt < 3) {
      EXPECT_EQ(*state, JobState::kRetryable);
      auto shown = JobAdmin(*queue_).Show((*job)->id);
      MV_ASSERT_OK(shown);
      const auto wait = shown->run_after - clock_.Now();
      EXPECT_LE(wait, 80s);  // the cap
      if (attempt == 2) {
        EXPECT_GE(wait, 70s) << "the Retry-After is honoured";
      }
      // Not claimable before its backoff has passed.
      if (wait > 0s) {
        auto early = queue_->Claim("w");
        MV_ASSERT_OK(early);
        EXPECT_FALSE(early->has_value());
      }
      clock_.Advance(std::chrono::duration_cast<std::chrono::nanoseconds>(wait) + 1ms);
    } else {
      EXPECT_EQ(*state, JobState::kFailed) << "attempts spent";
    }
  }
  auto list = JobAdmin(*queue_).List({.state = JobState::kFailed});
  MV_ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  auto shown = JobAdmin(*queue_).Show((*list)[0].id);
  MV_ASSERT_OK(shown);
  ASSERT_EQ(shown->errors.size(), 3u);
  EXPECT_EQ(shown->errors[0].error_class, "http_5xx");
  EXPECT_EQ(shown->errors[2].attempt, 3);
  EXPECT_EQ(shown->error_class, "http_5xx");
}

TEST_P(JobQueueConformance, PermanentFailureParksAtOnceAndRetryRevives) {
  auto id = queue_->Enqueue(Mirror("a"));
  MV_ASSERT_OK(id);
  auto job = queue_->Claim("w");
  MV_ASSERT_OK(job);
  auto state = queue_->Fail(*id, "w",
                            Corruption("dists/x/main/binary-amd64/Packages.xz: does not "
                                       "match the Release: it lists abcdef0123456789"));
  MV_ASSERT_OK(state);
  EXPECT_EQ(*state, JobState::kFailed);
  auto failures = JobAdmin(*queue_).Failures("");
  MV_ASSERT_OK(failures);
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].error_class, "hash_mismatch");
  EXPECT_EQ((*failures)[0].archives, std::vector<std::string>{"a"});
  // Only failed or cancelled jobs are retried.
  MV_ASSERT_OK(queue_->Enqueue(Mirror("b")));
  auto other = JobAdmin(*queue_).List({.archive = "b"});
  MV_ASSERT_OK(other);
  EXPECT_TRUE(JobAdmin(*queue_).Retry((*other)[0].id, "op").IsPreconditionFailed());
  MV_ASSERT_OK(JobAdmin(*queue_).Retry(*id, "alice"));
  auto again = queue_->Claim("w");
  MV_ASSERT_OK(again);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->id, *id);
  EXPECT_EQ((*again)->attempt, 2);
  MV_ASSERT_OK(queue_->Succeed(*id, "w", "fixed"));
  auto audit = JobAdmin(*queue_).Audit(10);
  MV_ASSERT_OK(audit);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(std::get<1>((*audit)[0]), "alice");
  EXPECT_EQ(std::get<2>((*audit)[0]), "retry");
}

TEST_P(JobQueueConformance, ExpiredLeasesAreRescuedAndCountAsAttempts) {
  auto id = queue_->Enqueue(Mirror("a"));
  MV_ASSERT_OK(id);
  MV_ASSERT_OK(queue_->Claim("dead"));
  clock_.Advance(30s);
  MV_ASSERT_OK(queue_->Heartbeat(*id, "dead"));  // renewed: 60 s from now
  clock_.Advance(59s);
  auto none = queue_->RescueExpired();
  MV_ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  clock_.Advance(2s);
  auto rescued = queue_->RescueExpired();
  MV_ASSERT_OK(rescued);
  EXPECT_EQ(*rescued, 1);
  // The dead worker's late report and heartbeat are refused.
  EXPECT_TRUE(queue_->Heartbeat(*id, "dead").IsPreconditionFailed());
  EXPECT_TRUE(queue_->Succeed(*id, "dead", "late").IsPreconditionFailed());
  auto job = queue_->Claim("alive");
  MV_ASSERT_OK(job);
  ASSERT_TRUE(job->has_value());
  EXPECT_EQ((*job)->attempt, 2);
  EXPECT_EQ((*job)->rescues, 1);
  // Rescued on its last attempt: parked.
  clock_.Advance(61s);
  MV_ASSERT_OK(queue_->RescueExpired());
  MV_ASSERT_OK(queue_->Claim("third"));
  clock_.Advance(61s);
  MV_ASSERT_OK(queue_->RescueExpired());
  auto shown = JobAdmin(*queue_).Show(*id);
  MV_ASSERT_OK(shown);
  EXPECT_EQ(shown->state, JobState::kFailed);
  EXPECT_EQ(shown->rescues, 3);
  ASSERT_EQ(shown->errors.size(), 3u);
  EXPECT_EQ(shown->errors[0].error_class, "lease_expired");
}

TEST_P(JobQueueConformance, CancelStopsARunningJobAtItsHeartbeat) {
  auto id = queue_->Enqueue(Mirror("a"));
  MV_ASSERT_OK(id);
  MV_ASSERT_OK(queue_->Claim("w"));
  MV_ASSERT_OK(JobAdmin(*queue_).Cancel(*id, "bob"));
  Status hb = queue_->Heartbeat(*id, "w");
  EXPECT_TRUE(hb.IsPreconditionFailed());
  EXPECT_NE(hb.message().find("cancelled"), std::string::npos) << hb.ToString();
  EXPECT_TRUE(JobAdmin(*queue_).Cancel(*id, "bob").IsPreconditionFailed());
  MV_EXPECT_OK(queue_->Enqueue(Mirror("a")));  // no longer active
}

TEST_P(JobQueueConformance, PausedArchivesAreNotClaimedAndRunNowHurries) {
  MV_ASSERT_OK(JobAdmin(*queue_).Pause("a", "op"));
  MV_ASSERT_OK(queue_->Enqueue(Mirror("a")));
  auto none = queue_->Claim("w");
  MV_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  MV_ASSERT_OK(JobAdmin(*queue_).Resume("a", "op"));
  auto job = queue_->Claim("w");
  MV_ASSERT_OK(job);
  EXPECT_TRUE(job->has_value());
  // run-now: a scheduled job becomes available at once; none: a new one.
  MV_ASSERT_OK(queue_->Enqueue(
      {.kind = JobKind::kMirror, .archive = "b", .run_after = clock_.Now() + 1h, .origin = "t"}));
  auto hurried = JobAdmin(*queue_).RunNow("b", JobKind::kMirror, "{}", "", "op");
  MV_ASSERT_OK(hurried);
  auto claimed = queue_->Claim("w");
  MV_ASSERT_OK(claimed);
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, *hurried);
  auto fresh = JobAdmin(*queue_).RunNow("c", JobKind::kMirror, "{}", "", "op");
  MV_ASSERT_OK(fresh);
  auto shown = JobAdmin(*queue_).Show(*fresh);
  MV_ASSERT_OK(shown);
  EXPECT_EQ(shown->origin, "run-now by op");
}

namespace {

// A clock that runs a hook once, inside the n-th Now() after Arm(n): a seam to land another
// process's write between two statements of the code under test.
class HookClock final : public Clock {
 public:
  explicit HookClock(Clock& base) : base_(base) {}
  void Arm(int n, std::function<void()> hook) {
    n_ = n;
    hook_ = std::move(hook);
  }
  std::chrono::system_clock::time_point Now() override {
    if (hook_ && --n_ == 0) {
      std::function<void()> hook = std::move(hook_);
      hook_ = nullptr;
      hook();
    }
    return base_.Now();
  }
  std::chrono::steady_clock::time_point SteadyNow() override { return base_.SteadyNow(); }
  void SleepFor(std::chrono::nanoseconds d) override { base_.SleepFor(d); }

 private:
  Clock& base_;
  int n_ = 0;
  std::function<void()> hook_;
};

}  // namespace

TEST_P(JobQueueConformance, RunNowRacingASchedulerHurriesTheJobTheSchedulerEnqueued) {
  // `jobs run-now` just as a worker's scheduler takes the archive's tick (a new archive's first
  // tick is due at once): wherever the scheduler's job lands among run-now's statements (before
  // it looks for an active job, or between that and its own insert), run-now succeeds and hurries
  // the archive's one active job.
  HookClock hooked(clock_);
  QueueOptions options;
  options.clock = &hooked;
  auto runner = JobQueue::Open(database_, options);
  MV_ASSERT_OK(runner);
  for (int n = 1; n <= 6; ++n) {
    SCOPED_TRACE("the scheduler's job lands in run-now's Now() call " + std::to_string(n));
    const std::string archive = "race" + std::to_string(n);
    // The scheduler's job, for later so that "hurried" shows (an AlreadyExists once run-now's
    // own insert came first is the scheduler's tick absorbed, as in Worker::Tick).
    hooked.Arm(n, [&] {
      queue_
          ->Enqueue({.kind = JobKind::kMirror,
                     .archive = archive,
                     .run_after = clock_.Now() + 1h,
                     .origin = "schedule"})
          .status()
          .IgnoreError();
    });
    auto id = JobAdmin(**runner).RunNow(archive, JobKind::kMirror, "{}", "", "op");
    hooked.Arm(0, nullptr);
    MV_ASSERT_OK(id);
    auto jobs = JobAdmin(*queue_).List({.archive = archive});
    MV_ASSERT_OK(jobs);
    ASSERT_EQ(jobs->size(), 1u);
    EXPECT_EQ((*jobs)[0].id, *id);
    EXPECT_EQ((*jobs)[0].state, JobState::kAvailable);
    EXPECT_LE((*jobs)[0].run_after, clock_.Now());
  }
}

TEST_P(JobQueueConformance, CircuitBreakerStopsClaimsForAFailingHost) {
  for (const char* a : {"a", "b", "c", "d", "e"}) MV_ASSERT_OK(queue_->Enqueue(Mirror(a, "up:80")));
  MV_ASSERT_OK(queue_->Enqueue(Mirror("other", "elsewhere:80")));
  // Three transient failures in a row of up:80 open its breaker.
  for (int i = 0; i < 3; ++i) {
    auto job = queue_->Claim("w");
    MV_ASSERT_OK(job);
    ASSERT_TRUE(job->has_value());
    ASSERT_EQ((*job)->host, "up:80");
    MV_ASSERT_OK(queue_->Fail((*job)->id, "w", Unavailable("connect to up: refused")));
  }
  auto stats = JobStats(*queue_).Stats();
  MV_ASSERT_OK(stats);
  EXPECT_EQ(stats->open_breakers, std::vector<std::string>{"up:80"});
  clock_.Advance(100s);  // every backoff has passed; the breaker (120 s) has not
  auto next = queue_->Claim("w");
  MV_ASSERT_OK(next);
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->archive, "other") << "no job of a tripped host is claimed";
  auto none = queue_->Claim("w");
  MV_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  // After the cool-down one job probes; the others wait for it.
  clock_.Advance(21s);
  auto probe = queue_->Claim("w");
  MV_ASSERT_OK(probe);
  ASSERT_TRUE(probe->has_value());
  auto waiting = queue_->Claim("w");
  MV_ASSERT_OK(waiting);
  EXPECT_FALSE(waiting->has_value()) << "half-open: one probe at a time";
  MV_ASSERT_OK(queue_->Succeed((*probe)->id, "w", "ok"));
  auto after = queue_->Claim("w");
  MV_ASSERT_OK(after);
  EXPECT_TRUE(after->has_value()) << "a success closes the breaker";
}

TEST_P(JobQueueConformance, OneSchedulerTakesEachTick) {
  auto other = OpenQueue();
  auto first = queue_->TakeTick("a", 10min);
  MV_ASSERT_OK(first);
  EXPECT_TRUE(*first);
  auto second = other->TakeTick("a", 10min);
  MV_ASSERT_OK(second);
  EXPECT_FALSE(*second) << "the same tick taken twice";
  clock_.Advance(10min);
  auto third = other->TakeTick("a", 10min);
  MV_ASSERT_OK(third);
  EXPECT_TRUE(*third);
  MV_ASSERT_OK(JobAdmin(*queue_).Pause("a", "op"));
  clock_.Advance(10min);
  auto paused = queue_->TakeTick("a", 10min);
  MV_ASSERT_OK(paused);
  EXPECT_FALSE(*paused);
}

TEST_P(JobQueueConformance, StatsAndTheDailyBaseline) {
  MV_ASSERT_OK(queue_->Enqueue(Mirror("a")));
  MV_ASSERT_OK(queue_->Enqueue(Mirror("b")));
  auto job = queue_->Claim("w");
  MV_ASSERT_OK(job);
  MV_ASSERT_OK(queue_->Fail((*job)->id, "w", InvalidArgument("InRelease: signature not accepted")));
  clock_.Advance(5s);
  auto stats = JobStats(*queue_).Stats();
  MV_ASSERT_OK(stats);
  EXPECT_EQ(stats->failed_archives, 1);
  EXPECT_EQ(stats->lag, 5s);
  EXPECT_EQ(stats->failures_by_class,
            (std::vector<std::pair<std::string, int64_t>>{{"signature", 1}}));
  MV_ASSERT_OK(JobStats(*queue_).RecordBaseline());
  clock_.Advance(24h);
  auto baseline = JobStats(*queue_).Baseline(7);
  MV_ASSERT_OK(baseline);
  EXPECT_EQ(*baseline, std::vector<int64_t>{1});
}

TEST_P(JobQueueConformance, PruneForgetsOldFinishedJobsButNotFailedOnes) {
  auto done = queue_->Enqueue(Mirror("a"));
  auto parked = queue_->Enqueue(Mirror("b"));
  MV_ASSERT_OK(done);
  MV_ASSERT_OK(parked);
  MV_ASSERT_OK(queue_->Claim("w"));
  MV_ASSERT_OK(queue_->Claim("w"));
  MV_ASSERT_OK(queue_->Fail(*done, "w", Unavailable("GET http://h/x: HTTP 503")));
  clock_.Advance(2h);
  MV_ASSERT_OK(queue_->Claim("w"));
  MV_ASSERT_OK(queue_->Succeed(*done, "w", "ok"));
  MV_ASSERT_OK(queue_->Fail(*parked, "w", Corruption("Packages: malformed")));
  MV_ASSERT_OK(JobAdmin(*queue_).Pause("c", "op"));
  clock_.Advance(10 * 24h);
  auto none = queue_->Prune(30 * 24h);
  MV_ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  clock_.Advance(21 * 24h);
  auto pruned = queue_->Prune(30 * 24h);
  MV_ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, 1);
  EXPECT_TRUE(JobAdmin(*queue_).Show(*done).status().IsNotFound());
  auto kept = JobAdmin(*queue_).Show(*parked);
  MV_ASSERT_OK(kept);
  EXPECT_EQ(kept->state, JobState::kFailed);
  EXPECT_EQ(kept->errors.size(), 1u);
  auto audit = JobAdmin(*queue_).Audit(10);
  MV_ASSERT_OK(audit);
  EXPECT_TRUE(audit->empty());
}

}  // namespace mv::jobs
