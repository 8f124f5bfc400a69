// Many rows per INSERT: a run's commit writes up to ~10^5 rows, and one statement per row costs
// most of the time on either backend.
#pragma once

#include <string_view>
#include <vector>

#include "db/database.h"

namespace mv::db {

// Runs `head` VALUES ($1, ...), (...) ... `tail` for the rows in `values` (row after row, `width`
// values each), 64 rows per statement. REQUIRES: values.size() is a multiple of width.
Status InsertMany(Connection& connection, std::string_view head, std::string_view tail,
                  size_t width, const std::vector<Value>& values);

}  // namespace mv::db
