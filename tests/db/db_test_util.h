// Helpers shared by the db tests: status assertions, value printing and temporary directories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "db/database.h"
#include "util/status.h"

namespace mv::db {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

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

#define MV_DB_ASSERT_OK(expr)                                     \
  do {                                                            \
    const auto& mv_r_ = (expr);                                   \
    ASSERT_TRUE(::mv::db::StatusOf(mv_r_).ok())                   \
        << #expr << ": " << ::mv::db::StatusOf(mv_r_).ToString(); \
  } while (0)
#define MV_DB_EXPECT_OK(expr)                                     \
  do {                                                            \
    const auto& mv_r_ = (expr);                                   \
    EXPECT_TRUE(::mv::db::StatusOf(mv_r_).ok())                   \
        << #expr << ": " << ::mv::db::StatusOf(mv_r_).ToString(); \
  } while (0)
#define MV_DB_EXPECT_CODE(expr, want)                             \
  do {                                                            \
    const auto& mv_r_ = (expr);                                   \
    EXPECT_EQ(::mv::db::StatusOf(mv_r_).code(), (want))           \
        << #expr << ": " << ::mv::db::StatusOf(mv_r_).ToString(); \
  } while (0)
