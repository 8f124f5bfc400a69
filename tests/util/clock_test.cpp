#include "util/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mv {
namespace {

using namespace std::chrono_literals;

TEST(SystemClockTest, MovesForwardAndSleeps) {
  Clock& clock = SystemClock();
  EXPECT_EQ(&clock, &SystemClock());
  auto wall = clock.Now();
  auto start = clock.SteadyNow();
  clock.SleepFor(20ms);
  EXPECT_GE(clock.SteadyNow() - start, 20ms);
  EXPECT_GE(clock.Now(), wall);
  // Roughly the real time: within a minute of the system clock.
  EXPECT_LT(std::chrono::abs(clock.Now() - std::chrono::system_clock::now()), 1min);
}

TEST(ManualClockTest, StartsAtTheGivenInstantAndOnlyMovesWhenTold) {
  ManualClock clock;
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart);
  auto steady = clock.SteadyNow();
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart);
  EXPECT_EQ(clock.SteadyNow(), steady);

  clock.Advance(90s);
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart + 90s);
  EXPECT_EQ(clock.SteadyNow(), steady + 90s);
}

TEST(ManualClockTest, SetNowMovesWallTimeOnly) {
  ManualClock clock;
  auto steady = clock.SteadyNow();
  clock.SetNow(ManualClock::kDefaultStart - 24h);
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart - 24h);
  EXPECT_EQ(clock.SteadyNow(), steady);
  clock.Advance(-1h);  // wall time back, steady time never
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart - 25h);
  EXPECT_EQ(clock.SteadyNow(), steady);
}

TEST(ManualClockTest, SleepAdvancesInAdvanceModeAndIsRecorded) {
  ManualClock clock;
  auto steady = clock.SteadyNow();
  clock.SleepFor(100ms);
  clock.SleepFor(250ms);
  clock.SleepFor(-5ms);  // ignored, but recorded
  EXPECT_EQ(clock.SteadyNow(), steady + 350ms);
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart + 350ms);
  std::vector<std::chrono::nanoseconds> expected = {100ms, 250ms, -5ms};
  EXPECT_EQ(clock.sleeps(), expected);
}

TEST(ManualClockTest, BlockingSleepWaitsForAdvance) {
  ManualClock clock(ManualClock::kDefaultStart, ManualClock::SleepMode::kBlockUntilAdvanced);
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(10s);
    woke = true;
  });
  clock.WaitForSleepers(1);
  EXPECT_EQ(clock.sleepers(), 1u);
  clock.Advance(9s);
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(woke.load());  // 1s still to go
  clock.Advance(1s);
  sleeper.join();
  EXPECT_TRUE(woke.load());
  EXPECT_EQ(clock.sleepers(), 0u);
  // The sleeper did not move time itself.
  EXPECT_EQ(clock.Now(), ManualClock::kDefaultStart + 10s);
}

}  // namespace
}  // namespace mv
