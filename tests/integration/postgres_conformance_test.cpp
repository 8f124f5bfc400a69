// The Database conformance suite against the real PostgreSQL server (each test in a fresh schema
// of the test database), and what is particular to PostgreSQL: login failures, lost connections,
// serialization failures, type mapping.
#include <gmock/gmock.h>

#include <thread>

#include "db/database_conformance.h"
#include "support/postgres_test_env.h"
#include "util/uri.h"

namespace mv::db {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<Database> MustOpen(const std::string& url) {
  Result<std::shared_ptr<Database>> db = OpenDatabase(url);
  if (!db.ok()) {
    ADD_FAILURE() << db.status().ToString();
    return nullptr;
  }
  return *db;
}

// Runs one statement on a fresh connection to `url`.
Status RunOnce(const std::string& url, const std::string& sql) {
  MV_ASSIGN_OR_RETURN(std::shared_ptr<Database> db, OpenDatabase(url));
  MV_ASSIGN_OR_RETURN(ConnectionLease c, db->Acquire());
  return c->Execute(sql).status();
}

// Drops its schema when the last test holding it is done.
class SchemaOwner {
 public:
  SchemaOwner(std::string url, std::string schema)
      : url_(std::move(url)), schema_(std::move(schema)) {}
  ~SchemaOwner() {
    Status dropped = RunOnce(url_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    if (!dropped.ok()) ADD_FAILURE() << "dropping " << schema_ << ": " << dropped.ToString();
  }
  SchemaOwner(const SchemaOwner&) = delete;
  SchemaOwner& operator=(const SchemaOwner&) = delete;

 private:
  std::string url_;
  std::string schema_;
};

TestDatabase PostgresSchema() {
  std::string url = mv::testing::PostgresTestUrl();
  if (url.empty()) return {};
  std::string schema = mv::testing::UniqueSqlName("mv_test");
  Status created = RunOnce(url, "CREATE SCHEMA " + schema);
  if (!created.ok()) {
    ADD_FAILURE() << "creating schema " << schema << ": " << created.ToString();
    return {};
  }
  return {.url = mv::testing::WithSearchPath(url, schema),
          .reopenable = true,
          .owner = std::make_shared<SchemaOwner>(url, schema)};
}

INSTANTIATE_TEST_SUITE_P(Postgres, DatabaseConformance,
                         ::testing::Values(DatabaseFactory{"postgres", PostgresSchema}),
                         [](const auto& param_info) { return param_info.param.name; });

// The test URL with one part changed.
std::string Changed(const std::function<void(Uri&)>& change) {
  Result<Uri> uri = ParseUri(mv::testing::PostgresTestUrl());
  if (!uri.ok()) {
    ADD_FAILURE() << uri.status().ToString();
    return {};
  }
  change(*uri);
  return uri->ToString();
}

TEST(PostgresDatabaseTest, DescribeHidesThePassword) {
  std::string url = mv::testing::PostgresTestUrl();
  ASSERT_FALSE(url.empty());
  Result<Uri> uri = ParseUri(url);
  MV_DB_ASSERT_OK(uri);
  ASSERT_TRUE(uri->password.has_value());
  auto db = MustOpen(url);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dialect(), Dialect::kPostgres);
  EXPECT_THAT(db->Describe(), Not(HasSubstr(*uri->password)));
  EXPECT_THAT(db->Describe(), HasSubstr("127.0.0.1"));
}

TEST(PostgresDatabaseTest, WrongPasswordIsPermissionDenied) {
  const std::string wrong = mv::testing::UniqueSqlName("wrongpass");
  std::string url = Changed([&](Uri& u) { u.password = wrong; });
  ASSERT_FALSE(url.empty());
  Result<std::shared_ptr<Database>> db = OpenDatabase(url);
  EXPECT_EQ(db.status().code(), StatusCode::kPermissionDenied) << db.status().ToString();
  EXPECT_FALSE(db.status().retryable());
  EXPECT_THAT(db.status().message(), Not(HasSubstr(wrong)));
  EXPECT_THAT(db.status().message(), HasSubstr("mirrorvault"));  // who failed to log in
}

TEST(PostgresDatabaseTest, UnknownRoleIsPermissionDenied) {
  std::string url = Changed([](Uri& u) { u.user = "no_such_role"; });
  Result<std::shared_ptr<Database>> db = OpenDatabase(url);
  EXPECT_EQ(db.status().code(), StatusCode::kPermissionDenied) << db.status().ToString();
}

TEST(PostgresDatabaseTest, MissingDatabaseIsNotFound) {
  std::string url = Changed([](Uri& u) { u.path = "/no_such_database"; });
  Result<std::shared_ptr<Database>> db = OpenDatabase(url);
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound) << db.status().ToString();
}

TEST(PostgresDatabaseTest, ServerGoneIsUnavailable) {
  // A port where nothing listens, on the test server's host.
  std::string url = Changed([](Uri& u) { u.port = 1; });
  Result<std::shared_ptr<Database>> db = OpenDatabase(url);
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().ToString();
  EXPECT_TRUE(db.status().retryable());
}

// A connection the server ended is Unavailable, and its lease drops it rather than pool it.
TEST(PostgresDatabaseTest, BrokenConnectionIsNotPooled) {
  auto db = MustOpen(mv::testing::PostgresTestUrl());
  ASSERT_NE(db, nullptr);
  int64_t pid = 0;
  {
    Result<ConnectionLease> victim = db->Acquire();
    Result<ConnectionLease> killer = db->Acquire();
    MV_DB_ASSERT_OK(victim);
    MV_DB_ASSERT_OK(killer);
    MV_DB_ASSERT_OK((*victim)->Query("SELECT pg_backend_pid()", {}, [&pid](const Row& r) {
      pid = r.Int(0);
      return Status::Ok();
    }));
    const Value params[] = {pid};
    MV_DB_ASSERT_OK((*killer)->Execute("SELECT pg_terminate_backend($1)", params));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Result<int64_t> lost = (*victim)->Execute("SELECT 1");
    EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable) << lost.status().ToString();
    EXPECT_TRUE(lost.status().retryable());
  }
  // Two connections at once (the pool held two): neither is the terminated one. Addresses may
  // be reused, so the server's process ids tell connections apart.
  Result<ConnectionLease> a = db->Acquire();
  Result<ConnectionLease> b = db->Acquire();
  MV_DB_ASSERT_OK(a);
  MV_DB_ASSERT_OK(b);
  for (Connection* c : {a->get(), b->get()}) {
    MV_DB_EXPECT_OK(c->Query("SELECT pg_backend_pid()", {}, [&pid](const Row& r) {
      EXPECT_NE(r.Int(0), pid) << "the terminated connection came back from the pool";
      return Status::Ok();
    }));
  }
}

class PostgresSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    target_ = PostgresSchema();
    ASSERT_FALSE(target_.url.empty());
    db_ = MustOpen(target_.url);
    ASSERT_NE(db_, nullptr);
  }
  ConnectionLease Lease() {
    Result<ConnectionLease> lease = db_->Acquire();
    EXPECT_TRUE(lease.ok()) << lease.status().ToString();
    return lease.ok() ? std::move(lease).value() : ConnectionLease();
  }
  TestDatabase target_;
  std::shared_ptr<Database> db_;
};

TEST_F(PostgresSchemaTest, SerializationFailureIsUnavailableAndRetried) {
  ConnectionLease a = Lease();
  ConnectionLease b = Lease();
  ASSERT_NE(a.get(), nullptr);
  ASSERT_NE(b.get(), nullptr);
  MV_DB_ASSERT_OK(
      a->ExecuteScript("CREATE TABLE c (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                       "INSERT INTO c VALUES (1, 0)"));
  constexpr std::string_view kSerializable = "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
  for (Connection* c : {a.get(), b.get()}) {
    MV_DB_ASSERT_OK(c->Begin(TransactionMode::kWrite));
    MV_DB_ASSERT_OK(c->Execute(kSerializable));
    MV_DB_ASSERT_OK(c->Execute("SELECT n FROM c WHERE id = 1"));
  }
  MV_DB_ASSERT_OK(a->Execute("UPDATE c SET n = n + 1 WHERE id = 1"));
  MV_DB_ASSERT_OK(a->Commit());
  Result<int64_t> conflict = b->Execute("UPDATE c SET n = n + 1 WHERE id = 1");
  EXPECT_EQ(conflict.status().code(), StatusCode::kUnavailable) << conflict.status().ToString();
  EXPECT_TRUE(conflict.status().retryable());
  EXPECT_THAT(conflict.status().message(), HasSubstr("40001"));
  MV_DB_EXPECT_OK(b->Rollback());

  // Read-modify-write under SERIALIZABLE from several threads: WithTransaction retries the
  // serialization failures, and no update is lost.
  constexpr int kThreads = 4;
  constexpr int kIncrements = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      ConnectionLease c = Lease();
      if (c.get() == nullptr) return;
      for (int i = 0; i < kIncrements; ++i) {
        Status s = WithTransaction(
            *c, TransactionMode::kWrite,
            [&](Connection& tx) {
              MV_RETURN_IF_ERROR(tx.Execute(kSerializable).status());
              int64_t n = 0;
              MV_RETURN_IF_ERROR(tx.Query("SELECT n FROM c WHERE id = 1", {}, [&n](const Row& r) {
                n = r.Int(0);
                return Status::Ok();
              }));
              const Value next[] = {n + 1};
              return tx.Execute("UPDATE c SET n = $1 WHERE id = 1", next).status();
            },
            /*max_attempts=*/100);
        if (!s.ok()) ADD_FAILURE() << s.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto rows = a->QueryAll("SELECT n FROM c");
  MV_DB_ASSERT_OK(rows);
  EXPECT_EQ(*rows, std::vector<std::vector<Value>>{{int64_t{1 + kThreads * kIncrements}}});
}

TEST_F(PostgresSchemaTest, TypesMapToValues) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  MV_DB_ASSERT_OK(c->ExecuteScript(
      "CREATE TABLE t (a INT4, b INT2, c BOOLEAN, d NUMERIC, e DOUBLE PRECISION, f TEXT);"
      "INSERT INTO t VALUES (7, -3, true, 12345678901234, 1.5, 'x'), (8, 4, false, 0.5, 2, 'y')"));
  auto rows = c->QueryAll("SELECT a, b, c, d, e, f FROM t ORDER BY a");
  MV_DB_ASSERT_OK(rows);
  EXPECT_EQ(*rows, (std::vector<std::vector<Value>>{
                       {int64_t{7}, int64_t{-3}, int64_t{1}, int64_t{12345678901234},
                        std::string("1.5"), std::string("x")},
                       {int64_t{8}, int64_t{4}, int64_t{0}, std::string("0.5"), std::string("2"),
                        std::string("y")}}));
  auto sums = c->QueryAll("SELECT sum(a::int8), count(*) FROM t");
  MV_DB_ASSERT_OK(sums);
  EXPECT_EQ(*sums, (std::vector<std::vector<Value>>{{int64_t{15}, int64_t{2}}}));
  const Value nul[] = {std::string("a\0b", 3)};
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO t (f) VALUES ($1)", nul), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mv::db
