// AdaptiveWindow: how many transfers to keep in flight to one peer, found by probing rather
// than configured. Near, a few are enough and more only cost memory and the peer's patience; far
// (a 40 ms link), each transfer of a small file is one round trip, so the rate grows with the
// number in flight until the link's bandwidth or the peer's capacity stops it.
//
// The window starts at `initial` and works in rounds: a round ends when twice as many transfers
// have completed as the window allowed at its start (each slot used twice: the first use of a
// new slot pays for its connection). A round whose rate (files a second, or bytes a second:
// either counts) was at least `gain` times the previous round's doubles the window, up to `max`;
// a round that did not gain leaves it where it is, and a later round that gains (the files got
// smaller, so more of them fit in the same time) doubles it again. A round in which the peer
// pushed back (the `congestion` counter moved: retries after 429, 503 or failed transfers)
// halves the window; the rounds after it probe upwards again. Rounds are measured on the given
// clock, so tests drive it without sleeping.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>

#include "util/clock.h"
#include "util/mutex.h"

namespace mv {

struct AdaptiveWindowOptions {
  size_t initial = 16;
  size_t max = 128;   // never more in flight than this (the configured cap)
  double gain = 1.1;  // a round must be this much faster than the one before to keep growing
  // Counted elsewhere (say, the fetcher's retries): a round during which it moved halves the
  // window. May be null.
  const std::atomic<uint64_t>* congestion = nullptr;
  Clock* clock = nullptr;  // null: the system clock
};

class AdaptiveWindow {
 public:
  explicit AdaptiveWindow(AdaptiveWindowOptions options);

  // Blocks until fewer transfers than the window are in flight, then counts one more.
  void Acquire();
  // One transfer acquired before has ended, having moved `bytes` (0 when it failed).
  void Release(uint64_t bytes);

  size_t window() const;
  size_t peak() const;  // the largest window reached

  // One transfer's place in the window, held for a scope: Acquire() on construction; Done(bytes)
  // releases it having moved `bytes`; leaving the scope without Done (an error returned early)
  // releases it as failed (0 bytes), so a place is never lost.
  class Slot {
   public:
    explicit Slot(AdaptiveWindow& window) : window_(&window) { window.Acquire(); }
    ~Slot() {
      if (window_ != nullptr) window_->Release(0);
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    void Done(uint64_t bytes) {
      if (window_ != nullptr) window_->Release(bytes);
      window_ = nullptr;
    }

   private:
    AdaptiveWindow* window_;
  };

 private:
  void EndRound() REQUIRES(mu_);

  const AdaptiveWindowOptions options_;
  Clock& clock_;
  mutable util::Mutex mu_;
  std::condition_variable cv_;
  size_t window_ GUARDED_BY(mu_);
  size_t peak_ GUARDED_BY(mu_);
  size_t in_flight_ GUARDED_BY(mu_) = 0;
  // The round under way: its start, its size (the window when it began), what completed in it.
  std::chrono::steady_clock::time_point round_start_ GUARDED_BY(mu_);
  size_t round_size_ GUARDED_BY(mu_);
  size_t round_files_ GUARDED_BY(mu_) = 0;
  uint64_t round_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t round_congestion_ GUARDED_BY(mu_) = 0;
  // The previous round's rates (files and bytes a second); negative before the first round.
  double last_files_rate_ GUARDED_BY(mu_) = -1;
  double last_bytes_rate_ GUARDED_BY(mu_) = -1;
};

}  // namespace mv
