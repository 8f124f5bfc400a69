// Helpers shared by the db tests: status assertions, value printing and temporary directories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "db/database.h"
#include "support/status_assert.h"
#include "util/status.h"

namespace mv::db {


inline void PrintTo(const Bytes& bytes, std::ostream* os) {
  *os << "Bytes(" << ::testing::PrintToString(bytes.data) << ")";
}

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "mvdb-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace mv::db

// The shared assertions (support/status_assert.h) under this suite's names.
#define MV_DB_ASSERT_OK(expr) MV_ASSERT_OK(expr)
#define MV_DB_EXPECT_OK(expr) MV_EXPECT_OK(expr)
#define MV_DB_EXPECT_CODE(expr, want) MV_EXPECT_CODE(expr, want)
