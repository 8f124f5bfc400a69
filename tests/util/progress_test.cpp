#include "util/progress.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>
#include <vector>

namespace mv {
namespace {

using namespace std::chrono_literals;

// A pipe whose read end drains without blocking: stands in for stderr.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    ::fcntl(read_fd_, F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    ::close(read_fd_);
    ::close(write_fd_);
  }
  int fd() const { return write_fd_; }
  std::string Drain() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(read_fd_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

size_t Count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

ProgressOptions Forced(int fd, ManualClock* clock) {
  return {.label = "copy",
          .items_name = "files",
          .fd = fd,
          .display = ProgressDisplay::kForce,
          .ticker = false,
          .clock = clock,
          .width = 120};
}

TEST(FormatProgressLineTest, AllParts) {
  ProgressSnapshot s{.label = "import debian",
                     .items_name = "files",
                     .bytes_done = 12 << 20,
                     .bytes_total = 100 << 20,
                     .items_done = 45,
                     .items_total = 120,
                     .bytes_per_second = 4 << 20};
  std::string line = FormatProgressLine(s, 200);
  EXPECT_EQ(line,
            "import debian  12.0 MiB/100.0 MiB  45/120 files  [###                           ] "
            "12%  4.0 MiB/s  ETA 0:22");
}

TEST(FormatProgressLineTest, UnknownTotalsAndNarrowTerminals) {
  ProgressSnapshot s{.label = "list", .items_name = "objects", .items_done = 7};
  EXPECT_EQ(FormatProgressLine(s, 80), "list  7 objects");
  s.items_per_second = 2.5;
  EXPECT_EQ(FormatProgressLine(s, 80), "list  7 objects  2.5 objects/s");

  ProgressSnapshot t{
      .label = "copy", .bytes_done = 1 << 20, .bytes_total = 4 << 20, .bytes_per_second = 1 << 20};
  std::string wide = FormatProgressLine(t, 80);
  EXPECT_NE(wide.find('['), std::string::npos);
  EXPECT_NE(wide.find("ETA 0:03"), std::string::npos) << wide;
  std::string narrow = FormatProgressLine(t, 30);
  EXPECT_EQ(narrow.find('['), std::string::npos) << narrow;  // no room for the bar
  EXPECT_LE(narrow.size(), 29u);                             // never the last column
}

TEST(FormatProgressLineTest, LongEtasAndItemsOnlyEta) {
  ProgressSnapshot s{.label = "x", .items_done = 10, .items_total = 100, .items_per_second = 0.001};
  EXPECT_NE(FormatProgressLine(s, 200).find("10/100 items"), std::string::npos);
  EXPECT_NE(FormatProgressLine(s, 200).find("0.001 items/s"), std::string::npos);
  EXPECT_NE(FormatProgressLine(s, 200).find("ETA 1d1h"), std::string::npos)  // 90000s
      << FormatProgressLine(s, 200);
  s.items_per_second = 0.02;  // 4500s
  EXPECT_NE(FormatProgressLine(s, 200).find("ETA 1:15:00"), std::string::npos)
      << FormatProgressLine(s, 200);
}

TEST(ProgressTest, DrawsAtMostOncePerInterval) {
  Pipe pipe;
  ManualClock clock;
  Progress p(Forced(pipe.fd(), &clock));
  EXPECT_TRUE(p.enabled());
  p.SetTotals(1000, 10);
  p.Add(100, 1);
  clock.Advance(50ms);
  p.Add(100, 1);
  EXPECT_EQ(pipe.Drain(), "") << "drew before the first interval passed";
  clock.Advance(50ms);
  p.Add(100, 1);
  std::string first = pipe.Drain();
  EXPECT_EQ(first.front(), '\r');
  EXPECT_NE(first.find("copy"), std::string::npos) << first;
  EXPECT_NE(first.find("3/10 files"), std::string::npos) << first;
  EXPECT_EQ(first.substr(first.size() - 3), "\x1b[K");

  // One second of updates every millisecond: about ten draws, not a thousand.
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(1ms);
    p.Add(0);
  }
  size_t draws = Count(pipe.Drain(), "\r");
  EXPECT_GE(draws, 9u);
  EXPECT_LE(draws, 11u);
}

TEST(ProgressTest, RateAndEtaFromTheClock) {
  Pipe pipe;
  ManualClock clock;
  Progress p(Forced(pipe.fd(), &clock));
  p.SetTotals(100 << 20, 0);
  for (int i = 0; i < 10; ++i) {
    clock.Advance(100ms);
    p.Add(1 << 20);
  }
  ProgressSnapshot s = p.Snapshot();
  ASSERT_TRUE(s.bytes_per_second.has_value());
  EXPECT_NEAR(*s.bytes_per_second, 10 << 20, 1 << 10);  // 10 MiB in 1 s
  EXPECT_EQ(s.elapsed, 1s);
  std::string out = pipe.Drain();
  EXPECT_NE(out.find("10.0 MiB/s"), std::string::npos) << out;
  EXPECT_NE(out.find("ETA 0:09"), std::string::npos) << out;  // 90 MiB left at 10 MiB/s
}

TEST(ProgressTest, FinishClearsTheLineAndStopsDrawing) {
  Pipe pipe;
  ManualClock clock;
  Progress p(Forced(pipe.fd(), &clock));
  clock.Advance(1s);
  p.Add(5);
  ASSERT_NE(pipe.Drain(), "");
  p.Finish();
  EXPECT_EQ(pipe.Drain(), "\r\x1b[K");
  clock.Advance(1s);
  p.Add(5);
  p.Finish();
  EXPECT_EQ(pipe.Drain(), "");
  EXPECT_EQ(p.Snapshot().bytes_done, 10u);  // still counting
}

TEST(ProgressTest, FinishWithoutDrawingWritesNothing) {
  Pipe pipe;
  ManualClock clock;
  {
    Progress p(Forced(pipe.fd(), &clock));
    p.Add(5);
  }  // destructor finishes
  EXPECT_EQ(pipe.Drain(), "");
}

TEST(ProgressTest, DisabledWritesNothingAtAll) {
  Pipe pipe;
  ManualClock clock;
  for (ProgressDisplay display : {ProgressDisplay::kAuto, ProgressDisplay::kOff}) {
    ProgressOptions options = Forced(pipe.fd(), &clock);
    options.display = display;  // kAuto: a pipe is not a terminal
    options.ticker = true;
    Progress p(options);
    EXPECT_FALSE(p.enabled());
    for (int i = 0; i < 20; ++i) {
      clock.Advance(1s);
      p.Add(1 << 20, 1);
    }
    p.Finish();
  }
  EXPECT_EQ(pipe.Drain(), "");
}

TEST(ProgressTest, AutoDrawsOnATerminal) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  int tty = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(tty, 0);
  {
    ManualClock clock;
    ProgressOptions options = Forced(tty, &clock);
    options.display = ProgressDisplay::kAuto;
    Progress p(options);
    EXPECT_TRUE(p.enabled());
  }
  ::close(tty);
  ::close(master);
}

TEST(ProgressTest, TickerRedrawsWhileWorkStalls) {
  Pipe pipe;
  ProgressOptions options{.label = "stalled",
                          .fd = pipe.fd(),
                          .display = ProgressDisplay::kForce,
                          .interval = 5ms,
                          .width = 80};
  Progress p(options);
  p.Add(1);
  std::string out;
  for (int i = 0; i < 200 && Count(out, "\r") < 2; ++i) {
    std::this_thread::sleep_for(5ms);
    out += pipe.Drain();
  }
  EXPECT_GE(Count(out, "\r"), 2u) << "no redraws without Add()";
  p.Finish();
}

TEST(ProgressTest, ConcurrentAddsAllCount) {
  Pipe pipe;
  ProgressOptions options{.label = "many",
                          .fd = pipe.fd(),
                          .display = ProgressDisplay::kForce,
                          .interval = 1ms,
                          .width = 80};
  Progress p(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) p.Add(3, 1);
    });
  }
  for (auto& t : threads) t.join();
  ProgressSnapshot s = p.Snapshot();
  EXPECT_EQ(s.bytes_done, 240000u);
  EXPECT_EQ(s.items_done, 80000u);
  p.Finish();
  std::string out = pipe.Drain();
  EXPECT_EQ(out.substr(out.size() - 4), "\r\x1b[K");
}

}  // namespace
}  // namespace mv
