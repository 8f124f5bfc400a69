// Helpers shared by the db tests: status assertions, value printing and temporary directories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "db/database.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"
#include "util/status.h"

namespace mv::db {

inline void PrintTo(const Bytes& bytes, std::ostream* os) {
  *os << "Bytes(" << ::testing::PrintToString(bytes.data) << ")";
}

using ::mv::testing::TempDir;  // support/temp_dir.h

}  // namespace mv::db

// The shared assertions (support/status_assert.h) under this suite's names.
#define MV_DB_ASSERT_OK(expr) MV_ASSERT_OK(expr)
#define MV_DB_EXPECT_OK(expr) MV_EXPECT_OK(expr)
#define MV_DB_EXPECT_CODE(expr, want) MV_EXPECT_CODE(expr, want)
