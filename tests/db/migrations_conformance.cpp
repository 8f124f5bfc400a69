// The Database conformance suite: schema migrations (db/migrations.h).
#include <gmock/gmock.h>

#include <thread>

#include "db/database_conformance.h"
#include "db/migrations.h"

namespace mv::db {
namespace {

using ::testing::HasSubstr;

const Migration kWidgets[] = {
    {1, "create widgets", "CREATE TABLE widgets (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"},
    {2, "first widget and gadgets",
     "INSERT INTO widgets (id, name) VALUES (1, 'first');\n"
     "CREATE TABLE gadgets (id BIGINT PRIMARY KEY)"},
    {3, "second widget", "INSERT INTO widgets (id, name) VALUES (2, 'second')"},
};

TEST_P(DatabaseConformance, SchemaVersionIsZeroOnAnEmptyDatabase) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Result<int> version = SchemaVersion(*c, "widgets");
  MV_DB_ASSERT_OK(version);
  EXPECT_EQ(*version, 0);
}

TEST_P(DatabaseConformance, MigrateAppliesEachMigrationOnce) {
  MV_DB_ASSERT_OK(Migrate(db(), "widgets", std::span(kWidgets).first(2)));
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(*SchemaVersion(*c, "widgets"), 2);
  EXPECT_EQ(Count(*c, "widgets"), 1);
  EXPECT_EQ(Count(*c, "gadgets"), 0);

  // Again: nothing to do (migration 2 would fail on its primary key if it ran twice).
  MV_DB_ASSERT_OK(Migrate(db(), "widgets", std::span(kWidgets).first(2)));
  EXPECT_EQ(Count(*c, "widgets"), 1);

  // One more known: only it runs.
  MV_DB_ASSERT_OK(Migrate(db(), "widgets", kWidgets));
  EXPECT_EQ(*SchemaVersion(*c, "widgets"), 3);
  EXPECT_EQ(Count(*c, "widgets"), 2);

  auto rows = All(*c,
                  "SELECT version, description FROM mv_schema_migrations WHERE component = $1 "
                  "ORDER BY version",
                  {std::string("widgets")});
  EXPECT_EQ(rows,
            (std::vector<std::vector<Value>>{{int64_t{1}, std::string("create widgets")},
                                             {int64_t{2}, std::string("first widget and gadgets")},
                                             {int64_t{3}, std::string("second widget")}}));
  MV_DB_EXPECT_OK(c->Query("SELECT applied_at FROM mv_schema_migrations", {}, [](const Row& r) {
    EXPECT_THAT(r.Text(0), ::testing::MatchesRegex("20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T.*Z"));
    return Status::Ok();
  }));
}

TEST_P(DatabaseConformance, MigrationsOfComponentsAreIndependent) {
  const Migration other[] = {{1, "create others", "CREATE TABLE others (id BIGINT)"}};
  MV_DB_ASSERT_OK(Migrate(db(), "widgets", kWidgets));
  MV_DB_ASSERT_OK(Migrate(db(), "others", other));
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(*SchemaVersion(*c, "widgets"), 3);
  EXPECT_EQ(*SchemaVersion(*c, "others"), 1);
  EXPECT_EQ(*SchemaVersion(*c, "nobody"), 0);
}

TEST_P(DatabaseConformance, MigrateRefusesANewerSchema) {
  MV_DB_ASSERT_OK(Migrate(db(), "widgets", std::span(kWidgets).first(2)));
  Status refused = Migrate(db(), "widgets", std::span(kWidgets).first(1));
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(), "catalog " + db().Describe() +
                                   ": widgets schema is at version 2, this mirrorvault knows up "
                                   "to 1: upgrade");
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(*SchemaVersion(*c, "widgets"), 2);
}

TEST_P(DatabaseConformance, FailedMigrationChangesNothing) {
  const Migration broken[] = {
      kWidgets[0],
      {2, "half done",
       "CREATE TABLE half (x BIGINT);\nINSERT INTO half (x) VALUES (1);\nSELEC oops"},
  };
  Status failed = Migrate(db(), "widgets", broken);
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument) << failed.ToString();
  EXPECT_THAT(failed.message(), HasSubstr("migration widgets 2 (half done)"));
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(*SchemaVersion(*c, "widgets"), 1);
  MV_DB_EXPECT_CODE(c->Execute("SELECT x FROM half"), StatusCode::kInvalidArgument);
  // Fixed, it applies.
  MV_DB_EXPECT_OK(Migrate(db(), "widgets", std::span(kWidgets).first(2)));
  EXPECT_EQ(*SchemaVersion(*c, "widgets"), 2);
}

TEST_P(DatabaseConformance, MigrationListMustBeNumberedWithoutGaps) {
  const Migration gap[] = {{1, "one", "CREATE TABLE one (x BIGINT)"},
                           {3, "three", "CREATE TABLE three (x BIGINT)"}};
  EXPECT_EQ(Migrate(db(), "gappy", gap).code(), StatusCode::kInvalidArgument);
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(*SchemaVersion(*c, "gappy"), 0);
  MV_DB_EXPECT_OK(Migrate(db(), "empty", {}));
}

TEST_P(DatabaseConformance, MigrationUsesTheDialectsScript) {
  const Migration blobs[] = {
      {1, "blobs", "CREATE TABLE blobs (b BLOB)", "CREATE TABLE blobs (b BYTEA)"}};
  MV_DB_ASSERT_OK(Migrate(db(), "blobs", blobs));
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(Exec(*c, "INSERT INTO blobs (b) VALUES ($1)", {Bytes{std::string("\0x", 2)}}), 1);
  EXPECT_EQ(All(*c, "SELECT b FROM blobs"),
            std::vector<std::vector<Value>>{{Bytes{std::string("\0x", 2)}}});
}

// Several migrators at once (separate Database objects where the database can be reopened):
// every one succeeds and each migration runs exactly once. Migration N records N in `applied`,
// whose primary key would also refuse a second run.
TEST_P(DatabaseConformance, ConcurrentMigratorsApplyEachMigrationOnce) {
  const Migration steps[] = {
      {1, "one", "CREATE TABLE applied (n BIGINT PRIMARY KEY); INSERT INTO applied (n) VALUES (1)"},
      {2, "two", "CREATE TABLE two (x BIGINT); INSERT INTO applied (n) VALUES (2)"},
      {3, "three", "CREATE TABLE three (x BIGINT); INSERT INTO applied (n) VALUES (3)"},
      {4, "four", "INSERT INTO applied (n) VALUES (4)"},
  };
  constexpr int kMigrators = 4;
  std::vector<std::shared_ptr<Database>> databases;
  for (int i = 0; i < kMigrators; ++i) databases.push_back(i == 0 ? db_ : OpenAgain());
  std::vector<Status> results(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*databases[i], "race", steps); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) MV_DB_EXPECT_OK(s);
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(
      All(*c, "SELECT n FROM applied ORDER BY n"),
      (std::vector<std::vector<Value>>{{int64_t{1}}, {int64_t{2}}, {int64_t{3}}, {int64_t{4}}}));
  EXPECT_EQ(All(*c, "SELECT count(*) FROM mv_schema_migrations WHERE component = 'race'"),
            std::vector<std::vector<Value>>{{int64_t{4}}});
}

}  // namespace
}  // namespace mv::db
