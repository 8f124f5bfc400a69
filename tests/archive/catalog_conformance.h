// The archive catalog's conformance suite (archive tables, writer locks), run on every Database
// implementation: SQLite here (catalog_conformance_sqlite_test.cpp), PostgreSQL in
// tests/integration. An OBJECT library, so the linker keeps its TEST_P registrations.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "db/database.h"

namespace mv::testing {

struct CatalogFactory {
  std::string name;
  // A fresh, empty database for each test.
  std::function<std::shared_ptr<db::Database>()> make;
};

inline void PrintTo(const CatalogFactory& f, std::ostream* os) { *os << f.name; }

class CatalogConformance : public ::testing::TestWithParam<CatalogFactory> {};

}  // namespace mv::testing
