// Clock: the seam through which code reads time and sleeps, so that schedules, leases, expiry,
// backoff and progress rates are testable without sleeping.
//
// SystemClock() reads the real clocks. ManualClock is driven by the test: time moves only when
// the test calls Advance()/SetNow(), or when code under test calls SleepFor() (see SleepMode).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <vector>

#include "util/mutex.h"

namespace mv {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC); may jump. Use for timestamps that are stored or shown.
  virtual std::chrono::system_clock::time_point Now() = 0;
  // Monotonic time; use for intervals, timeouts and rates.
  virtual std::chrono::steady_clock::time_point SteadyNow() = 0;
  // Blocks the calling thread for `d` (no-op when d <= 0).
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
};

// The real clocks. The instance is stateless and lives for the whole program; thread-safe.
Clock& SystemClock();

// A clock that tests drive. Thread-safe.
//
// Advance(d) moves both Now() and SteadyNow() forward by d (a negative d moves Now() back and
// leaves SteadyNow() alone). SetNow(t) sets Now() only: wall time may jump backwards, SteadyNow()
// never does.
class ManualClock final : public Clock {
 public:
  enum class SleepMode {
    // SleepFor(d) advances the clock by d and returns at once: single-threaded code that sleeps
    // (retry backoff, pacing) runs instantly and sees time pass. The default.
    kAdvance,
    // SleepFor(d) blocks until other threads have advanced SteadyNow() by at least d: for tests
    // that step a background thread (a scheduler, a lease renewer) through time. Pair with
    // WaitForSleepers() to know the thread has reached its sleep.
    kBlockUntilAdvanced,
  };

  // 2024-01-01T00:00:00Z: a fixed start so that derived names (run ids) are predictable.
  static constexpr std::chrono::sys_seconds kDefaultStart{std::chrono::seconds(1704067200)};

  explicit ManualClock(std::chrono::system_clock::time_point start = kDefaultStart,
                       SleepMode mode = SleepMode::kAdvance);

  std::chrono::system_clock::time_point Now() override;
  std::chrono::steady_clock::time_point SteadyNow() override;
  void SleepFor(std::chrono::nanoseconds d) override;

  void Advance(std::chrono::nanoseconds d);
  void SetNow(std::chrono::system_clock::time_point t);

  // Every duration passed to SleepFor(), in call order (both modes).
  std::vector<std::chrono::nanoseconds> sleeps() const;
  // The number of threads blocked in SleepFor() now (kBlockUntilAdvanced only).
  size_t sleepers() const;
  // Blocks until at least `n` threads are blocked in SleepFor() (kBlockUntilAdvanced only).
  void WaitForSleepers(size_t n);

 private:
  const SleepMode mode_;
  mutable util::Mutex mu_;
  std::condition_variable cv_;
  std::chrono::system_clock::time_point now_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point steady_ GUARDED_BY(mu_);
  std::vector<std::chrono::nanoseconds> sleeps_ GUARDED_BY(mu_);
  size_t sleepers_ GUARDED_BY(mu_) = 0;
};

}  // namespace mv
