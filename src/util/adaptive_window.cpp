#include "util/adaptive_window.h"

#include <algorithm>

namespace mv {
namespace {

uint64_t Read(const std::atomic<uint64_t>* counter) {
  return counter != nullptr ? counter->load(std::memory_order_relaxed) : 0;
}

}  // namespace

AdaptiveWindow::AdaptiveWindow(AdaptiveWindowOptions options)
    : options_(options), clock_(options.clock != nullptr ? *options.clock : SystemClock()) {
  const size_t max = std::max<size_t>(1, options_.max);
  util::MutexLock lock(mu_);
  window_ = std::clamp<size_t>(options_.initial, 1, max);
  peak_ = window_;
  round_start_ = clock_.SteadyNow();
  round_size_ = window_;
  round_congestion_ = Read(options_.congestion);
}

void AdaptiveWindow::Acquire() {
  util::MutexLock lock(mu_);
  while (in_flight_ >= window_) cv_.wait(lock.native());
  ++in_flight_;
}

void AdaptiveWindow::Release(uint64_t bytes) {
  util::MutexLock lock(mu_);
  --in_flight_;
  ++round_files_;
  round_bytes_ += bytes;
  if (round_files_ >= 2 * round_size_) EndRound();
  cv_.notify_all();
}

void AdaptiveWindow::EndRound() {
  const auto now = clock_.SteadyNow();
  const double seconds = std::max(1e-6, std::chrono::duration<double>(now - round_start_).count());
  const double files_rate = static_cast<double>(round_files_) / seconds;
  const double bytes_rate = static_cast<double>(round_bytes_) / seconds;
  const uint64_t congestion = Read(options_.congestion);
  if (congestion != round_congestion_) {
    window_ = std::max<size_t>(1, window_ / 2);
  } else if (last_files_rate_ < 0 || files_rate >= options_.gain * last_files_rate_ ||
             bytes_rate >= options_.gain * last_bytes_rate_) {
    // The first round always grows: there is nothing to compare it with.
    window_ = std::min(std::max<size_t>(1, options_.max), window_ * 2);
  }
  peak_ = std::max(peak_, window_);
  last_files_rate_ = files_rate;
  last_bytes_rate_ = bytes_rate;
  round_start_ = now;
  round_size_ = window_;
  round_files_ = 0;
  round_bytes_ = 0;
  round_congestion_ = congestion;
}

size_t AdaptiveWindow::window() const {
  util::MutexLock lock(mu_);
  return window_;
}

size_t AdaptiveWindow::peak() const {
  util::MutexLock lock(mu_);
  return peak_;
}

}  // namespace mv
