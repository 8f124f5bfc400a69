#include "util/clock.h"

#include <thread>

namespace mv {
namespace {

class RealClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point SteadyNow() override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(std::chrono::nanoseconds d) override {
    if (d > std::chrono::nanoseconds::zero()) std::this_thread::sleep_for(d);
  }
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;  // stateless: no mutable global state
  return clock;
}

ManualClock::ManualClock(std::chrono::system_clock::time_point start, SleepMode mode)
    : mode_(mode), now_(start) {}

std::chrono::system_clock::time_point ManualClock::Now() {
  util::MutexLock lock(mu_);
  return now_;
}

std::chrono::steady_clock::time_point ManualClock::SteadyNow() {
  util::MutexLock lock(mu_);
  return steady_;
}

void ManualClock::SleepFor(std::chrono::nanoseconds d) {
  util::MutexLock lock(mu_);
  sleeps_.push_back(d);
  if (d <= std::chrono::nanoseconds::zero()) return;
  if (mode_ == SleepMode::kAdvance) {
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
    cv_.notify_all();
    return;
  }
  auto deadline = steady_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  ++sleepers_;
  cv_.notify_all();  // WaitForSleepers() watches sleepers_
  while (steady_ < deadline) cv_.wait(lock.native());
  --sleepers_;
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  util::MutexLock lock(mu_);
  now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  if (d > std::chrono::nanoseconds::zero()) {
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  }
  cv_.notify_all();
}

void ManualClock::SetNow(std::chrono::system_clock::time_point t) {
  util::MutexLock lock(mu_);
  now_ = t;
}

std::vector<std::chrono::nanoseconds> ManualClock::sleeps() const {
  util::MutexLock lock(mu_);
  return sleeps_;
}

size_t ManualClock::sleepers() const {
  util::MutexLock lock(mu_);
  return sleepers_;
}

void ManualClock::WaitForSleepers(size_t n) {
  util::MutexLock lock(mu_);
  while (sleepers_ < n) cv_.wait(lock.native());
}

}  // namespace mv
