// Helpers shared by the store tests: status assertions, temporary directories, byte generators
// and readers/writers that fail on purpose.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "support/status_assert.h"
#include "support/temp_dir.h"
#include "util/io.h"
#include "util/status.h"

namespace mv::store {

// Deterministic pseudo-random bytes (every byte value, NULs included).
inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

using ::mv::testing::TempDir;  // support/temp_dir.h

// Every file and directory under `dir` (relative paths, sorted).
inline std::vector<std::string> TreeUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    out.push_back(std::filesystem::relative(it->path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Yields `data`, then fails with `status` instead of reaching the end.
class FailingReader final : public Reader {
 public:
  FailingReader(std::string data, Status status)
      : data_(std::move(data)), status_(std::move(status)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (pos_ == data_.size()) return status_;
    size_t take = std::min(n, data_.size() - pos_);
    std::copy_n(data_.data() + pos_, take, buf);
    pos_ += take;
    return take;
  }

 private:
  std::string data_;
  Status status_;
  size_t pos_ = 0;
};

// Accepts nothing.
class FailingWriter final : public Writer {
 public:
  Status Write(std::string_view) override { return Internal("writer refuses on purpose"); }
};

}  // namespace mv::store
