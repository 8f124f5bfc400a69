// Progress of several concurrent publishes, one line per target: a line as each stage starts
// ("debian-eu: stage 1 (content): 380 files, 250.0 MiB"), and while a stage runs, a line every
// interval with what it has written so far. Plain lines rather than a redrawn bar, so that many
// targets interleave legibly and logs keep them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "publish/publisher.h"

namespace mv::cli {

class PublishProgress {
 public:
  // Lines go to `out`; `interval` zero: stage lines only.
  PublishProgress(std::FILE* out, std::chrono::milliseconds interval);
  ~PublishProgress();
  PublishProgress(const PublishProgress&) = delete;
  PublishProgress& operator=(const PublishProgress&) = delete;

  // Hooks `options` (on_stage, on_written) to a new line of progress named `name`. Every Track
  // comes before Start.
  void Track(const std::string& name, publish::PublishOptions& options);
  // Starts the periodic lines.
  void Start();
  // The target is done: no more periodic lines for it.
  void Done(const std::string& name);

  // Serialises every line written to `out` (summaries printed by the caller too).
  std::mutex& print_mutex() { return print_mu_; }

 private:
  struct Target {
    std::string name;
    std::atomic<int> stage{0};  // 0 before stage 1 and after the publish
    std::atomic<uint64_t> files_total{0}, bytes_total{0}, files_done{0}, bytes_done{0};
  };
  void Loop();

  std::FILE* out_;
  const std::chrono::milliseconds interval_;
  std::vector<std::unique_ptr<Target>> targets_;  // appended only before Start
  std::mutex print_mu_;
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stop_ = false;  // GUARDED_BY(loop_mu_)
  std::thread loop_;
};

}  // namespace mv::cli
