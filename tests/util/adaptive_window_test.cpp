#include "util/adaptive_window.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace mv {
namespace {

using namespace std::chrono_literals;

// Completes one round at a window of `files`: twice that many transfers of `bytes` each, in two
// waves, taking `took` on the clock in all.
void Round(AdaptiveWindow& w, ManualClock& clock, size_t files, uint64_t bytes,
           std::chrono::milliseconds took) {
  for (int wave = 0; wave < 2; ++wave) {
    for (size_t i = 0; i < files; ++i) w.Acquire();
    clock.Advance(took / 2);
    for (size_t i = 0; i < files; ++i) w.Release(bytes);
  }
}

TEST(AdaptiveWindowTest, GrowsWhileTheRateGrowsAndHoldsWhileItDoesNot) {
  ManualClock clock;
  AdaptiveWindow w({.initial = 4, .max = 64, .clock = &clock});
  EXPECT_EQ(w.window(), 4u);
  Round(w, clock, 4, 1000, 40ms);  // the first round always grows: nothing to compare with
  EXPECT_EQ(w.window(), 8u);
  Round(w, clock, 8, 1000, 40ms);  // twice the files in the same time: a far peer
  EXPECT_EQ(w.window(), 16u);
  Round(w, clock, 16, 1000, 80ms);  // the same rate: the link is full
  EXPECT_EQ(w.window(), 16u);
  Round(w, clock, 16, 1000, 80ms);  // still no gain: it holds
  EXPECT_EQ(w.window(), 16u);
  // Largest first: the files got smaller, many more of them fit in the same time. Each of them is
  // a round trip, so more in flight pays again.
  Round(w, clock, 16, 100, 20ms);
  EXPECT_EQ(w.window(), 32u);
  EXPECT_EQ(w.peak(), 32u);
}

TEST(AdaptiveWindowTest, MoreBytesASecondCountsAsAGainToo) {
  ManualClock clock;
  AdaptiveWindow w({.initial = 2, .max = 64, .clock = &clock});
  Round(w, clock, 2, 1000, 10ms);
  Round(w, clock, 4, 1000, 20ms);  // files a second the same, bytes a second the same
  EXPECT_EQ(w.window(), 4u);
  AdaptiveWindow v({.initial = 2, .max = 64, .clock = &clock});
  Round(v, clock, 2, 1000, 10ms);
  Round(v, clock, 4, 4000, 20ms);  // larger files: the same files a second, 4x the bytes
  EXPECT_EQ(v.window(), 8u);
}

TEST(AdaptiveWindowTest, NeverExceedsTheCap) {
  ManualClock clock;
  AdaptiveWindow w({.initial = 16, .max = 40, .clock = &clock});
  Round(w, clock, 16, 1, 100ms);
  EXPECT_EQ(w.window(), 32u);
  Round(w, clock, 32, 1, 100ms);
  EXPECT_EQ(w.window(), 40u);
  Round(w, clock, 40, 1, 50ms);
  EXPECT_EQ(w.window(), 40u);
  AdaptiveWindow capped({.initial = 500, .max = 40, .clock = &clock});
  EXPECT_EQ(capped.window(), 40u);
}

TEST(AdaptiveWindowTest, PushBackHalvesTheWindowAndProbingResumes) {
  ManualClock clock;
  std::atomic<uint64_t> retries{0};
  AdaptiveWindow w({.initial = 8, .max = 128, .congestion = &retries, .clock = &clock});
  Round(w, clock, 8, 1, 10ms);
  EXPECT_EQ(w.window(), 16u);
  retries = 3;  // a 503 and its retries during this round, though the rate grew
  Round(w, clock, 16, 1, 5ms);
  EXPECT_EQ(w.window(), 8u);
  retries = 4;  // more push-back
  Round(w, clock, 8, 1, 5ms);
  EXPECT_EQ(w.window(), 4u);
  Round(w, clock, 4, 1, 1ms);  // no new push-back and a faster round: up again
  EXPECT_EQ(w.window(), 8u);
  EXPECT_EQ(w.peak(), 16u);
}

TEST(AdaptiveWindowTest, AcquireBlocksAtTheWindow) {
  ManualClock clock;
  AdaptiveWindow w({.initial = 2, .max = 2, .clock = &clock});
  w.Acquire();
  w.Acquire();
  std::atomic<bool> got{false};
  std::thread third([&] {
    w.Acquire();
    got = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(got.load());
  w.Release(1);
  third.join();
  EXPECT_TRUE(got.load());
  w.Release(1);
  w.Release(1);
}

// A slot left without Done (an early error return) gives its place back, as a failed transfer.
TEST(AdaptiveWindowTest, ASlotLeftWithoutDoneGivesItsPlaceBack) {
  ManualClock clock;
  AdaptiveWindow w({.initial = 1, .max = 1, .clock = &clock});
  { AdaptiveWindow::Slot failed(w); }
  std::atomic<bool> got{false};
  std::thread next([&] {
    AdaptiveWindow::Slot slot(w);
    got = true;
    slot.Done(10);
  });
  for (int i = 0; i < 100 && !got.load(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(got.load()) << "the place of the slot left without Done was not given back";
  if (!got.load()) w.Release(0);  // let the thread finish either way
  next.join();
}

}  // namespace
}  // namespace mv
