// Comparing two versions of a large index paragraph by paragraph (apt::DiffParagraphs, what the
// package index and the upstream mirror do with every changed Packages and Sources), beside the
// least any such comparison does: one pass over both texts finding every line (memchr). bench/
// index-diff drives it. Prints one line of key=value per measure, each the best of --runs.
//
//   paragraph_diff_bench [--runs N] BEFORE AFTER
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "apt/paragraph_diff.h"

namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

bool ReadFile(const char* path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = std::move(s).str();
  return true;
}

size_t CountLines(std::string_view text) {
  size_t lines = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

template <typename F>
double Best(int runs, F&& f) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, Seconds(std::chrono::steady_clock::now() - t0));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::vector<const char*> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.size() != 2 || runs < 1) {
    std::fprintf(stderr, "usage: paragraph_diff_bench [--runs N] BEFORE AFTER\n");
    return 2;
  }
  std::string before, after;
  if (!ReadFile(files[0], &before) || !ReadFile(files[1], &after)) {
    std::fprintf(stderr, "paragraph_diff_bench: cannot read %s or %s\n", files[0], files[1]);
    return 1;
  }
  const double mb = static_cast<double>(before.size() + after.size()) / 1e6;
  size_t lines = 0;
  const double bound = Best(runs, [&] { lines = CountLines(before) + CountLines(after); });
  std::printf("bound seconds=%.4f mb_per_s=%.0f lines=%zu mb=%.1f\n", bound, mb / bound, lines, mb);
  static constexpr std::string_view kKey[] = {"Package", "Version", "Architecture"};
  for (bool keys : {false, true}) {
    size_t added = 0, removed = 0, seen = 0;
    bool ok = true;
    const double t = Best(runs, [&] {
      seen = 0;
      mv::Result<mv::apt::ParagraphDiff> diff = mv::apt::DiffParagraphs(
          before, "before", after, "after",
          keys ? std::span<const std::string_view>(kKey) : std::span<const std::string_view>(),
          keys ? [&](bool, std::span<const std::string_view>) { ++seen; }
               : std::function<void(bool, std::span<const std::string_view>)>());
      ok = diff.ok();
      if (!ok) {
        std::fprintf(stderr, "paragraph_diff_bench: %s\n", diff.status().ToString().c_str());
        return;
      }
      added = diff->added.size();
      removed = diff->removed.size();
    });
    if (!ok) return 1;
    std::printf("diff%s seconds=%.4f mb_per_s=%.0f x_bound=%.1f added=%zu removed=%zu%s\n",
                keys ? "_with_keys" : "", t, mb / t, t / bound, added, removed,
                keys ? (" paragraphs=" + std::to_string(seen)).c_str() : "");
  }
  return 0;
}
