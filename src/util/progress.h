// Progress: a one-line progress bar for long work on a terminal (bytes and items done of their
// totals, rate, ETA), redrawn in place on stderr at most every `interval` (10 times a second).
//
// It draws only when stderr is a terminal (or when forced); otherwise, or when turned off, it
// writes nothing at all, and the structured logs are the record. Counting is cheap and
// thread-safe (atomics), so transfer threads call Add() directly.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <thread>

#include "util/clock.h"
#include "util/mutex.h"

namespace mv {

enum class ProgressDisplay {
  kAuto,   // draw when the fd is a terminal (isatty)
  kOff,    // never draw (--no-progress, --quiet)
  kForce,  // draw even when the fd is not a terminal (tests)
};

struct ProgressOptions {
  std::string label{};               // "import debian"
  std::string items_name = "items";  // "files", "objects"
  int fd = 2;                        // not owned
  ProgressDisplay display = ProgressDisplay::kAuto;
  std::chrono::milliseconds interval{100};  // minimum time between draws; the first draw waits
                                            // this long too, so short work draws nothing
  // Redraw from a background thread every interval, so rate and ETA move while work stalls.
  // Without it (tests) drawing happens only inside Add().
  bool ticker = true;
  Clock* clock = nullptr;  // SystemClock() when null; must outlive the Progress
  size_t width = 0;        // columns; 0 asks the terminal (TIOCGWINSZ), else 80
};

// What a line shows; also what callers can print as a summary.
struct ProgressSnapshot {
  std::string label{};
  std::string items_name = "items";
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;  // 0 = unknown
  uint64_t items_done = 0;
  uint64_t items_total = 0;  // 0 = unknown
  std::chrono::steady_clock::duration elapsed{};
  // Over the last few seconds; unknown until some time has passed.
  std::optional<double> bytes_per_second{};
  std::optional<double> items_per_second{};
};

// The line for `s`, at most width-1 columns (the last column would make terminals wrap):
// "import debian  12.3 MiB/100.0 MiB  45/120 files  [####      ] 12%  5.2 MiB/s  ETA 0:17".
// Parts whose values are unknown are left out; the bar only when there is room.
std::string FormatProgressLine(const ProgressSnapshot& s, size_t width);

class Progress {
 public:
  explicit Progress(ProgressOptions options);
  ~Progress();  // Finish()
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // True when this bar draws (see ProgressDisplay); fixed at construction.
  bool enabled() const { return enabled_; }

  // Totals may be set up front or grow as work is discovered (a listing in progress).
  void SetTotals(uint64_t bytes, uint64_t items);
  void AddTotals(uint64_t bytes, uint64_t items);
  // Records finished work; redraws when the interval has passed. Thread-safe.
  void Add(uint64_t bytes, uint64_t items = 0);

  // Stops drawing and clears the line (if anything was drawn), leaving the cursor at column 0
  // for what is printed next. Later Add() calls still count but never draw. Idempotent.
  void Finish();

  ProgressSnapshot Snapshot();

 private:
  struct Sample {
    std::chrono::steady_clock::time_point at;
    uint64_t bytes;
    uint64_t items;
  };
  void MaybeDraw();
  ProgressSnapshot SnapshotLocked(std::chrono::steady_clock::time_point now) REQUIRES(draw_mu_);
  void TickerLoop();

  const ProgressOptions options_;
  Clock& clock_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> bytes_done_{0}, bytes_total_{0}, items_done_{0}, items_total_{0};
  std::atomic<int64_t> next_draw_ns_;  // steady time (since epoch) of the next allowed draw

  util::Mutex draw_mu_;
  std::deque<Sample> samples_ GUARDED_BY(draw_mu_);  // for the rate
  bool drawn_ GUARDED_BY(draw_mu_) = false;
  bool finished_ GUARDED_BY(draw_mu_) = false;

  util::Mutex finish_mu_;  // serialises Finish() callers (one joins the ticker)
  util::Mutex ticker_mu_;
  std::condition_variable ticker_cv_;
  bool stop_ticker_ GUARDED_BY(ticker_mu_) = false;
  std::thread ticker_;
};

}  // namespace mv
