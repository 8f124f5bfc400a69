#include "cli/publish_progress.h"

#include "util/units.h"

namespace mv::cli {
namespace {

const char* StageName(int stage) {
  switch (stage) {
    case 1:
      return "content";
    case 2:
      return "indexes";
    default:
      return "Release files";
  }
}

}  // namespace

PublishProgress::PublishProgress(std::FILE* out, std::chrono::milliseconds interval)
    : out_(out), interval_(interval) {}

PublishProgress::~PublishProgress() {
  {
    std::lock_guard lock(loop_mu_);
    stop_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void PublishProgress::Track(const std::string& name, publish::PublishOptions& options) {
  targets_.push_back(std::make_unique<Target>());
  Target* t = targets_.back().get();
  t->name = name;
  options.on_stage = [this, t](publish::Stage stage, size_t files, uint64_t bytes) {
    t->files_done = 0;
    t->bytes_done = 0;
    t->files_total = files;
    t->bytes_total = bytes;
    t->stage = static_cast<int>(stage);
    if (files == 0) return;
    std::lock_guard lock(print_mu_);
    std::fprintf(out_, "%s: stage %d (%s): %zu files, %s\n", t->name.c_str(),
                 static_cast<int>(stage), StageName(static_cast<int>(stage)), files,
                 FormatSizeHuman(bytes).c_str());
    std::fflush(out_);
  };
  options.on_written = [t](const publish::RunFile& f, publish::Stage) {
    t->files_done.fetch_add(1, std::memory_order_relaxed);
    t->bytes_done.fetch_add(f.size, std::memory_order_relaxed);
  };
}

void PublishProgress::Start() {
  if (interval_.count() > 0 && !loop_.joinable()) loop_ = std::thread([this] { Loop(); });
}

void PublishProgress::Done(const std::string& name) {
  for (auto& t : targets_) {
    if (t->name == name) t->stage = 0;
  }
}

void PublishProgress::Loop() {
  std::unique_lock lock(loop_mu_);
  while (!loop_cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    std::lock_guard print(print_mu_);
    for (const auto& t : targets_) {
      const int stage = t->stage.load();
      if (stage == 0 || t->files_total == 0) continue;
      std::fprintf(out_, "%s: stage %d (%s): %llu of %llu files, %s of %s\n", t->name.c_str(),
                   stage, StageName(stage), static_cast<unsigned long long>(t->files_done.load()),
                   static_cast<unsigned long long>(t->files_total.load()),
                   FormatSizeHuman(t->bytes_done.load()).c_str(),
                   FormatSizeHuman(t->bytes_total.load()).c_str());
    }
    std::fflush(out_);
  }
}

}  // namespace mv::cli
