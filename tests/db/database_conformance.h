// The Database conformance suite: one value-parameterised test suite that every Database backend
// must pass (SQLite on a file, SQLite in memory, PostgreSQL). The parameter is a named factory
// returning a fresh, empty database each time it is called (PostgreSQL: a fresh schema).
//
// Link the `mv_db_conformance` target and instantiate, in any test binary:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, mv::db::DatabaseConformance,
//                            ::testing::Values(mv::db::DatabaseFactory{"postgres", [] { ... }}));
//
// Tests that need dialect-specific SQL ask Connection::dialect(), as callers do.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "db/db_test_util.h"

namespace mv::db {

// A database made for one test.
struct TestDatabase {
  std::string url;
  // False for sqlite::memory:, where every OpenDatabase(url) is a new database: tests that want
  // several Database objects on one database then share one.
  bool reopenable = true;
  // Whatever keeps the database alive and removes it when the last copy goes (a temporary
  // folder, a schema to drop).
  std::shared_ptr<void> owner;
};

struct DatabaseFactory {
  std::string name;  // shown as the parameter in test names and failures
  std::function<TestDatabase()> make;
};
inline void PrintTo(const DatabaseFactory& factory, std::ostream* os) { *os << factory.name; }

class DatabaseConformance : public ::testing::TestWithParam<DatabaseFactory> {
 protected:
  void SetUp() override;

  Database& db() { return *db_; }
  bool postgres() const { return db_->dialect() == Dialect::kPostgres; }
  // The column type for bytes: BLOB or BYTEA.
  std::string BytesType() const { return postgres() ? "BYTEA" : "BLOB"; }

  // A connection from the pool; a failure (and a null lease) when none can be had.
  ConnectionLease Lease();
  // Another Database on the same database (the same object when it cannot be reopened).
  std::shared_ptr<Database> OpenAgain();
  // Runs a statement that must succeed; returns the changed rows (-1 and a failure otherwise).
  int64_t Exec(Connection& c, std::string_view sql, std::vector<Value> params = {});
  // Every row (empty and a failure when the query fails).
  std::vector<std::vector<Value>> All(Connection& c, std::string_view sql,
                                      std::vector<Value> params = {});
  // SELECT count(*) FROM table.
  int64_t Count(Connection& c, std::string_view table);

  TestDatabase target_;
  std::shared_ptr<Database> db_;
};

}  // namespace mv::db
