// gtest assertions on Status and Result<T>: the expression, its status and its message on
// failure.
#pragma once

#include <gtest/gtest.h>

#include "util/status.h"

namespace mv::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace mv::testing

#define MV_ASSERT_OK(expr)                                             \
  do {                                                                 \
    const auto& mv_r_ = (expr);                                        \
    ASSERT_TRUE(::mv::testing::StatusOf(mv_r_).ok())                   \
        << #expr << ": " << ::mv::testing::StatusOf(mv_r_).ToString(); \
  } while (0)
#define MV_EXPECT_OK(expr)                                             \
  do {                                                                 \
    const auto& mv_r_ = (expr);                                        \
    EXPECT_TRUE(::mv::testing::StatusOf(mv_r_).ok())                   \
        << #expr << ": " << ::mv::testing::StatusOf(mv_r_).ToString(); \
  } while (0)
#define MV_EXPECT_CODE(expr, want)                                     \
  do {                                                                 \
    const auto& mv_r_ = (expr);                                        \
    EXPECT_EQ(::mv::testing::StatusOf(mv_r_).code(), (want))           \
        << #expr << ": " << ::mv::testing::StatusOf(mv_r_).ToString(); \
  } while (0)
