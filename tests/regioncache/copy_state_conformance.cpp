// What every CopyState must do (copy_state.h): one claim wins however many claim at once, from
// however many instances; a stale claim is taken over and its owner can no longer complete it;
// complete, abandon and forget; touch and LRU order; the in-use hold; restored entries and the
// built mark; AwaitChange woken by another instance's change well before its timeout.
#include "regioncache/copy_state_conformance.h"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "support/status_assert.h"

namespace mv::testing {
namespace {

using namespace std::chrono_literals;
using regioncache::Claim;
using regioncache::ClaimOutcome;
using regioncache::CopyEntry;
using regioncache::CopyState;

std::string UniqueRegion(const std::string& what) {
  static std::mt19937_64 rng{std::random_device{}()};
  return what + "-" + std::to_string(rng() % 1000000000000ull);
}

std::vector<std::string> Keys(const std::vector<CopyEntry>& entries) {
  std::vector<std::string> out;
  for (const CopyEntry& e : entries) out.push_back(e.key);
  return out;
}

class Fixture {
 public:
  explicit Fixture(const CopyStateFactory& factory) : open_(factory.backend()) {}
  std::unique_ptr<CopyState> Open(Clock* clock = nullptr) {
    std::unique_ptr<CopyState> s = open_(clock);
    EXPECT_NE(s, nullptr);
    return s;
  }
  const std::string region = UniqueRegion("r");

 private:
  CopyStateOpener open_;
};

TEST_P(CopyStateConformance, OneClaimWinsAmongConcurrentClaimersOfTwoInstances) {
  Fixture f(GetParam());
  std::unique_ptr<CopyState> states[] = {f.Open(), f.Open()};
  ASSERT_TRUE(states[0] && states[1]);
  constexpr int kThreads = 16;
  for (int round = 0; round < 5; ++round) {
    const std::string key = "blobs/k" + std::to_string(round);
    std::atomic<int> claimed{0}, in_progress{0}, errors{0};
    std::string winner;
    std::mutex mu;
    std::vector<std::string> seen_owners;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        const std::string owner = "owner-" + std::to_string(i);
        Result<Claim> c = states[i % 2]->ClaimCopy(f.region, key, owner);
        if (!c.ok()) {
          ++errors;
          return;
        }
        std::lock_guard lock(mu);
        if (c->outcome == ClaimOutcome::kClaimed) {
          ++claimed;
          winner = owner;
        } else if (c->outcome == ClaimOutcome::kInProgress) {
          ++in_progress;
          seen_owners.push_back(c->entry.owner);
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(claimed.load(), 1) << "round " << round;
    EXPECT_EQ(in_progress.load(), kThreads - 1);
    for (const std::string& o : seen_owners) EXPECT_EQ(o, winner) << "the others see the winner";
    auto entry = states[0]->Get(f.region, key);
    MV_ASSERT_OK(entry);
    ASSERT_TRUE(entry->has_value());
    EXPECT_FALSE((*entry)->ready);
    EXPECT_EQ((*entry)->owner, winner);
  }
}

TEST_P(CopyStateConformance, StaleClaimIsTakenOverAndItsOwnerCannotComplete) {
  Fixture f(GetParam());
  ManualClock clock;
  auto a = f.Open(&clock);
  auto b = f.Open(&clock);
  const std::string key = "blobs/stale";
  auto first = a->ClaimCopy(f.region, key, "a");
  MV_ASSERT_OK(first);
  EXPECT_EQ(first->outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(first->entry.claimed, clock.Now());
  clock.Advance(30s);
  MV_EXPECT_OK(a->RenewClaim(f.region, key, "a"));  // renewed: fresh until +90 s
  clock.Advance(59s);
  auto busy = b->ClaimCopy(f.region, key, "b");
  MV_ASSERT_OK(busy);
  EXPECT_EQ(busy->outcome, ClaimOutcome::kInProgress) << "renewed 59 s ago: not stale";
  EXPECT_EQ(busy->entry.owner, "a");
  clock.Advance(2s);
  auto taken = b->ClaimCopy(f.region, key, "b");
  MV_ASSERT_OK(taken);
  EXPECT_EQ(taken->outcome, ClaimOutcome::kClaimed) << "61 s without renewal: taken over";
  EXPECT_EQ(taken->entry.owner, "b");
  EXPECT_TRUE(a->RenewClaim(f.region, key, "a").IsPreconditionFailed());
  EXPECT_TRUE(a->CompleteCopy(f.region, key, "a", 5, "", 1s).IsPreconditionFailed());
  MV_EXPECT_OK(a->AbandonCopy(f.region, key, "a"));  // not a's any more: nothing happens
  auto still = a->Get(f.region, key);
  MV_ASSERT_OK(still);
  ASSERT_TRUE(still->has_value());
  EXPECT_EQ((*still)->owner, "b");
  MV_EXPECT_OK(b->CompleteCopy(f.region, key, "b", 5, "", 1s));
}

TEST_P(CopyStateConformance, CompleteMakesReadyAndAbandonLetsTheNextClaimTryAgain) {
  Fixture f(GetParam());
  ManualClock clock;
  auto s = f.Open(&clock);
  const std::string key = "blobs/done";
  MV_ASSERT_OK(s->ClaimCopy(f.region, key, "me"));
  EXPECT_TRUE(s->CompleteCopy(f.region, key, "other", 1, "", 1s).IsPreconditionFailed());
  clock.Advance(5s);
  MV_ASSERT_OK(s->CompleteCopy(f.region, key, "me", 12345, "etag-1", 10s));
  EXPECT_TRUE(s->CompleteCopy(f.region, key, "me", 12345, "etag-1", 10s).IsPreconditionFailed())
      << "already complete";
  auto ready = s->ClaimCopy(f.region, key, "someone");
  MV_ASSERT_OK(ready);
  EXPECT_EQ(ready->outcome, ClaimOutcome::kReady);
  EXPECT_TRUE(ready->entry.ready);
  EXPECT_EQ(ready->entry.size, 12345u);
  EXPECT_EQ(ready->entry.etag, "etag-1");
  EXPECT_EQ(ready->entry.last_used, clock.Now());
  EXPECT_EQ(ready->entry.region, f.region);
  EXPECT_EQ(ready->entry.key, key);
  MV_EXPECT_OK(s->AbandonCopy(f.region, key, "me"));  // ready: abandon does not drop it
  EXPECT_TRUE(s->Get(f.region, key)->has_value());

  const std::string failed = "blobs/failed";
  MV_ASSERT_OK(s->ClaimCopy(f.region, failed, "me"));
  MV_EXPECT_OK(s->AbandonCopy(f.region, failed, "other"));  // not the owner: kept
  EXPECT_TRUE(s->Get(f.region, failed)->has_value());
  MV_EXPECT_OK(s->AbandonCopy(f.region, failed, "me"));
  EXPECT_FALSE(s->Get(f.region, failed)->has_value());
  auto again = s->ClaimCopy(f.region, failed, "next");
  MV_ASSERT_OK(again);
  EXPECT_EQ(again->outcome, ClaimOutcome::kClaimed);
  EXPECT_TRUE(s->RenewClaim(f.region, key, "me").IsPreconditionFailed()) << "a ready copy";
}

TEST_P(CopyStateConformance, TouchOrdersReadyCopiesLeastRecentlyUsedFirst) {
  Fixture f(GetParam());
  ManualClock clock;
  auto s = f.Open(&clock);
  for (const char* k : {"blobs/c", "blobs/a", "blobs/b"}) {
    MV_ASSERT_OK(s->ClaimCopy(f.region, k, "me"));
    MV_ASSERT_OK(s->CompleteCopy(f.region, k, "me", 100, "", 1s));
    clock.Advance(1s);
  }
  MV_ASSERT_OK(s->ClaimCopy(f.region, "blobs/in-progress", "me"));
  auto listed = s->ListReady(f.region);
  MV_ASSERT_OK(listed);
  EXPECT_EQ(Keys(*listed), (std::vector<std::string>{"blobs/c", "blobs/a", "blobs/b"}));
  MV_ASSERT_OK(s->Touch(f.region, "blobs/c", 1s));
  clock.Advance(1s);
  MV_ASSERT_OK(s->Touch(f.region, "blobs/a", 1s));
  listed = s->ListReady(f.region);
  MV_ASSERT_OK(listed);
  EXPECT_EQ(Keys(*listed), (std::vector<std::string>{"blobs/b", "blobs/c", "blobs/a"}));
  EXPECT_EQ((*listed)[2].last_used, clock.Now());
  EXPECT_EQ((*listed)[0].size, 100u);
  // The same last use: by key.
  MV_ASSERT_OK(s->Touch(f.region, "blobs/c", 1s));
  MV_ASSERT_OK(s->Touch(f.region, "blobs/b", 1s));
  listed = s->ListReady(f.region);
  MV_ASSERT_OK(listed);
  EXPECT_EQ(Keys(*listed), (std::vector<std::string>{"blobs/a", "blobs/b", "blobs/c"}));
  MV_EXPECT_OK(s->Touch(f.region, "blobs/never-made", 1s));
  EXPECT_TRUE(s->ListReady(UniqueRegion("empty"))->empty());
}

TEST_P(CopyStateConformance, InUseHoldIsExtendedNeverShortened) {
  Fixture f(GetParam());
  ManualClock clock;
  auto s = f.Open(&clock);
  const std::string key = "blobs/held";
  MV_ASSERT_OK(s->ClaimCopy(f.region, key, "me"));
  const auto t0 = clock.Now();
  MV_ASSERT_OK(s->CompleteCopy(f.region, key, "me", 1, "", 600s));
  EXPECT_EQ((*s->Get(f.region, key))->in_use_until, t0 + 600s);
  clock.Advance(10s);
  MV_ASSERT_OK(s->Touch(f.region, key, 60s));
  EXPECT_EQ((*s->Get(f.region, key))->in_use_until, t0 + 600s) << "a shorter hold keeps the longer";
  EXPECT_EQ((*s->Get(f.region, key))->last_used, t0 + 10s);
  MV_ASSERT_OK(s->Touch(f.region, key, 3600s));
  EXPECT_EQ((*s->Get(f.region, key))->in_use_until, t0 + 10s + 3600s);
}

TEST_P(CopyStateConformance, ForgetRemovesTheCopyFromEverything) {
  Fixture f(GetParam());
  auto s = f.Open();
  const std::string other_region = UniqueRegion("other");
  for (const std::string& region : {f.region, other_region}) {
    MV_ASSERT_OK(s->ClaimCopy(region, "blobs/x", "me"));
    MV_ASSERT_OK(s->CompleteCopy(region, "blobs/x", "me", 7, "", 1s));
  }
  MV_ASSERT_OK(s->Forget(f.region, "blobs/x"));
  EXPECT_FALSE(s->Get(f.region, "blobs/x")->has_value());
  EXPECT_TRUE(s->ListReady(f.region)->empty());
  EXPECT_EQ(s->ListReady(other_region)->size(), 1u) << "regions are apart";
  MV_EXPECT_OK(s->Forget(f.region, "blobs/x"));  // forgetting nothing succeeds
  auto again = s->ClaimCopy(f.region, "blobs/x", "me");
  MV_ASSERT_OK(again);
  EXPECT_EQ(again->outcome, ClaimOutcome::kClaimed);
}

TEST_P(CopyStateConformance, RestoredCopiesAndTheBuiltMark) {
  Fixture f(GetParam());
  ManualClock clock;
  auto s = f.Open(&clock);
  auto built = s->IsBuilt(f.region);
  MV_ASSERT_OK(built);
  EXPECT_FALSE(*built);
  MV_ASSERT_OK(s->ClaimCopy(f.region, "blobs/being-made", "me"));
  const auto t = clock.Now();
  auto entry = [&](const std::string& key, std::chrono::seconds age) {
    return CopyEntry{.region = f.region,
                     .key = key,
                     .ready = true,
                     .size = 10,
                     .claimed = t - age,
                     .last_used = t - age,
                     .in_use_until = t + 5s};
  };
  auto added = s->RestoreCopy(entry("blobs/new", 10s));
  MV_ASSERT_OK(added);
  EXPECT_TRUE(*added);
  added = s->RestoreCopy(entry("blobs/old", 20s));
  MV_ASSERT_OK(added);
  EXPECT_TRUE(*added);
  added = s->RestoreCopy(entry("blobs/being-made", 5s));
  MV_ASSERT_OK(added);
  EXPECT_FALSE(*added) << "an entry there is kept";
  EXPECT_FALSE((*s->Get(f.region, "blobs/being-made"))->ready);
  EXPECT_FALSE(*s->RestoreCopy(entry("blobs/new", 1s))) << "twice: once";
  auto listed = s->ListReady(f.region);
  MV_ASSERT_OK(listed);
  EXPECT_EQ(Keys(*listed), (std::vector<std::string>{"blobs/old", "blobs/new"}));
  EXPECT_EQ((*listed)[1].last_used, t - 10s);
  EXPECT_EQ((*listed)[1].in_use_until, t + 5s);
  EXPECT_EQ((*listed)[1].size, 10u);
  auto ready = s->ClaimCopy(f.region, "blobs/old", "x");
  MV_ASSERT_OK(ready);
  EXPECT_EQ(ready->outcome, ClaimOutcome::kReady);
  MV_ASSERT_OK(s->MarkBuilt(f.region));
  EXPECT_TRUE(*s->IsBuilt(f.region));
  EXPECT_FALSE(*s->IsBuilt(UniqueRegion("other")));
  MV_EXPECT_OK(s->MarkBuilt(f.region));  // again: fine
}

TEST_P(CopyStateConformance, AwaitChangeIsWokenByAnotherInstancesCompletion) {
  Fixture f(GetParam());
  auto waiter = f.Open();
  auto maker = f.Open();
  const std::string key = "blobs/awaited";
  MV_ASSERT_OK(maker->ClaimCopy(f.region, key, "maker"));
  std::thread completer([&] {
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(maker->CompleteCopy(f.region, key, "maker", 1, "", 1s).ok());
  });
  const auto t0 = std::chrono::steady_clock::now();
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() - t0 < 10s) {
    waiter->AwaitChange(f.region, key, 5s);
    auto c = waiter->ClaimCopy(f.region, key, "waiter");
    MV_ASSERT_OK(c);
    ready = c->outcome == ClaimOutcome::kReady;
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  completer.join();
  EXPECT_TRUE(ready);
  EXPECT_LT(took, 1500ms) << "woken at the completion, not at the 5 s timeout";
  EXPECT_GE(took, 250ms);

  // Nothing to wait for: a ready copy returns at once.
  const auto t1 = std::chrono::steady_clock::now();
  waiter->AwaitChange(f.region, key, 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 1s);
}

TEST_P(CopyStateConformance, AwaitChangeIsWokenByAbandonAndForget) {
  Fixture f(GetParam());
  auto waiter = f.Open();
  auto maker = f.Open();
  for (const bool abandon : {true, false}) {
    const std::string key = abandon ? "blobs/abandoned" : "blobs/forgotten";
    MV_ASSERT_OK(maker->ClaimCopy(f.region, key, "maker"));
    std::thread changer([&] {
      std::this_thread::sleep_for(300ms);
      EXPECT_TRUE(
          (abandon ? maker->AbandonCopy(f.region, key, "maker") : maker->Forget(f.region, key))
              .ok());
    });
    const auto t0 = std::chrono::steady_clock::now();
    bool gone = false;
    while (!gone && std::chrono::steady_clock::now() - t0 < 10s) {
      waiter->AwaitChange(f.region, key, 5s);
      auto e = waiter->Get(f.region, key);
      MV_ASSERT_OK(e);
      gone = !e->has_value();
    }
    changer.join();
    EXPECT_TRUE(gone);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms) << key;
  }
}

TEST_P(CopyStateConformance, AwaitChangeWithoutAChangeWaitsOrPolls) {
  Fixture f(GetParam());
  auto s = f.Open();
  const std::string key = "blobs/unchanging";
  MV_ASSERT_OK(s->ClaimCopy(f.region, key, "maker"));
  const auto t0 = std::chrono::steady_clock::now();
  s->AwaitChange(f.region, key, 600ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 2s) << "never past its timeout (much)";
  if (GetParam().awaits_messages) {
    EXPECT_GE(took, 550ms) << "waits for a message, not a poll";
  } else {
    EXPECT_LT(took, 500ms) << "polls (100 ms)";
  }
}

}  // namespace
}  // namespace mv::testing
