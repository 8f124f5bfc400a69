#include "util/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "util/io.h"
#include "util/units.h"

namespace mv {
namespace {

using std::chrono::steady_clock;

// The rate is measured over this much recent time, so it follows changes in speed.
constexpr std::chrono::seconds kRateWindow{5};
constexpr std::string_view kClearToEnd = "\x1b[K";

int64_t Ns(steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string FormatEta(double seconds) {
  auto s = static_cast<uint64_t>(std::ceil(seconds));
  char buf[32];
  if (s >= 86400) {
    std::snprintf(buf, sizeof(buf), "%llud%lluh", static_cast<unsigned long long>(s / 86400),
                  static_cast<unsigned long long>(s % 86400 / 3600));
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s % 3600 / 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

size_t TerminalWidth(int fd) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

std::string FormatProgressLine(const ProgressSnapshot& s, size_t width) {
  std::string head = s.label;
  auto add = [&](const std::string& part) {
    if (!head.empty()) head += "  ";
    head += part;
  };
  if (s.bytes_done > 0 || s.bytes_total > 0) {
    std::string part = FormatSizeHuman(s.bytes_done);
    if (s.bytes_total > 0) part += "/" + FormatSizeHuman(s.bytes_total);
    add(part);
  }
  if (s.items_done > 0 || s.items_total > 0) {
    std::string part = std::to_string(s.items_done);
    if (s.items_total > 0) part += "/" + std::to_string(s.items_total);
    add(part + " " + s.items_name);
  }
  // The fraction done, by bytes when their total is known, else by items.
  std::optional<double> fraction;
  std::optional<double> left_seconds;
  if (s.bytes_total > 0) {
    fraction = static_cast<double>(s.bytes_done) / static_cast<double>(s.bytes_total);
    if (s.bytes_per_second && *s.bytes_per_second > 0 && s.bytes_done <= s.bytes_total) {
      left_seconds = static_cast<double>(s.bytes_total - s.bytes_done) / *s.bytes_per_second;
    }
  } else if (s.items_total > 0) {
    fraction = static_cast<double>(s.items_done) / static_cast<double>(s.items_total);
    if (s.items_per_second && *s.items_per_second > 0 && s.items_done <= s.items_total) {
      left_seconds = static_cast<double>(s.items_total - s.items_done) / *s.items_per_second;
    }
  }
  if (fraction) fraction = std::min(1.0, *fraction);

  std::string tail;
  auto add_tail = [&](const std::string& part) {
    tail += "  ";
    tail += part;
  };
  if (fraction) add_tail(std::to_string(static_cast<int>(*fraction * 100)) + "%");
  if (s.bytes_per_second && (s.bytes_done > 0 || s.bytes_total > 0)) {
    add_tail(FormatSizeHuman(static_cast<uint64_t>(*s.bytes_per_second)) + "/s");
  } else if (s.items_per_second) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), *s.items_per_second >= 0.1 ? "%.1f %s/s" : "%.3f %s/s",
                  *s.items_per_second, s.items_name.c_str());
    add_tail(buf);
  }
  if (left_seconds) add_tail("ETA " + FormatEta(*left_seconds));

  size_t max = width > 0 ? width - 1 : 0;
  std::string line = head;
  // A bar between the counts and the percentage when at least 10 cells fit.
  constexpr size_t kMaxBar = 30;
  size_t used = head.size() + tail.size() + 4;  // "  [" and "]"
  if (fraction && max > used + 10) {
    size_t cells = std::min(kMaxBar, max - used);
    auto full = static_cast<size_t>(*fraction * static_cast<double>(cells));
    line += "  [" + std::string(full, '#') + std::string(cells - full, ' ') + "]";
    line += tail.substr(1);  // "[...] 12%" reads better with a single space
  } else {
    line += tail;
  }
  if (line.size() > max) line.resize(max);
  return line;
}

Progress::Progress(ProgressOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()),
      enabled_(options_.display == ProgressDisplay::kForce ||
               (options_.display == ProgressDisplay::kAuto && ::isatty(options_.fd) == 1)),
      start_(clock_.SteadyNow()),
      next_draw_ns_(Ns(start_ + options_.interval)) {
  samples_.push_back({start_, 0, 0});
  if (enabled_ && options_.ticker) ticker_ = std::thread([this] { TickerLoop(); });
}

Progress::~Progress() { Finish(); }

void Progress::SetTotals(uint64_t bytes, uint64_t items) {
  bytes_total_.store(bytes, std::memory_order_relaxed);
  items_total_.store(items, std::memory_order_relaxed);
}

void Progress::AddTotals(uint64_t bytes, uint64_t items) {
  bytes_total_.fetch_add(bytes, std::memory_order_relaxed);
  items_total_.fetch_add(items, std::memory_order_relaxed);
}

void Progress::Add(uint64_t bytes, uint64_t items) {
  bytes_done_.fetch_add(bytes, std::memory_order_relaxed);
  items_done_.fetch_add(items, std::memory_order_relaxed);
  MaybeDraw();
}

void Progress::MaybeDraw() {
  if (!enabled_) return;
  steady_clock::time_point now = clock_.SteadyNow();
  if (Ns(now) < next_draw_ns_.load(std::memory_order_relaxed)) return;
  // One thread draws; the others go back to work rather than wait for the terminal.
  if (!draw_mu_.try_lock()) return;
  if (!finished_ && Ns(now) >= next_draw_ns_.load(std::memory_order_relaxed)) {
    next_draw_ns_.store(Ns(now + options_.interval), std::memory_order_relaxed);
    size_t width = options_.width > 0 ? options_.width : TerminalWidth(options_.fd);
    std::string out = "\r" + FormatProgressLine(SnapshotLocked(now), width);
    out += kClearToEnd;
    // Progress is a courtesy: a failing terminal must not fail the work.
    WriteAll(options_.fd, out, "progress").IgnoreError();
    drawn_ = true;
  }
  draw_mu_.unlock();
}

ProgressSnapshot Progress::SnapshotLocked(steady_clock::time_point now) {
  ProgressSnapshot s;
  s.label = options_.label;
  s.items_name = options_.items_name;
  s.bytes_done = bytes_done_.load(std::memory_order_relaxed);
  s.bytes_total = bytes_total_.load(std::memory_order_relaxed);
  s.items_done = items_done_.load(std::memory_order_relaxed);
  s.items_total = items_total_.load(std::memory_order_relaxed);
  s.elapsed = now - start_;
  // Keep the newest sample at least kRateWindow old, and nothing older.
  while (samples_.size() > 1 && now - samples_[1].at >= kRateWindow) samples_.pop_front();
  const Sample& oldest = samples_.front();
  double seconds = std::chrono::duration<double>(now - oldest.at).count();
  if (seconds >= 0.05) {
    s.bytes_per_second = static_cast<double>(s.bytes_done - oldest.bytes) / seconds;
    s.items_per_second = static_cast<double>(s.items_done - oldest.items) / seconds;
  }
  if (now > samples_.back().at) samples_.push_back({now, s.bytes_done, s.items_done});
  return s;
}

ProgressSnapshot Progress::Snapshot() {
  util::MutexLock lock(draw_mu_);
  return SnapshotLocked(clock_.SteadyNow());
}

void Progress::TickerLoop() {
  for (;;) {
    {
      util::MutexLock lock(ticker_mu_);
      const auto deadline = steady_clock::now() + options_.interval;
      while (!stop_ticker_ &&
             ticker_cv_.wait_until(lock.native(), deadline) == std::cv_status::no_timeout) {
      }
      if (stop_ticker_) return;
    }
    MaybeDraw();
  }
}

void Progress::Finish() {
  util::MutexLock finish_lock(finish_mu_);
  {
    util::MutexLock lock(ticker_mu_);
    stop_ticker_ = true;
  }
  ticker_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  util::MutexLock lock(draw_mu_);
  if (finished_) return;
  finished_ = true;
  if (drawn_)
    WriteAll(options_.fd, std::string("\r") + std::string(kClearToEnd), "progress").IgnoreError();
}

}  // namespace mv
