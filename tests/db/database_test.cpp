// OpenDatabase's URL handling and what is particular to the SQLite backend; the behaviour both
// backends share is in the conformance suite (database_conformance.h).
#include "db/database.h"

#include <gmock/gmock.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "db/db_test_util.h"

namespace mv::db {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<Database> Open(const std::string& url, const DatabaseOptions& options = {}) {
  Result<std::shared_ptr<Database>> db = OpenDatabase(url, options);
  if (!db.ok()) {
    ADD_FAILURE() << url << ": " << db.status().ToString();
    return nullptr;
  }
  return *db;
}

TEST(OpenDatabaseTest, BadUrlsAreInvalidArgument) {
  for (const char* url :
       {"", "catalog.db", "mysql://u@h/db", "sqlite:relative.db", "sqlite://host/catalog.db",
        "sqlite:///", "sqlite:///tmp/dir/", "sqlite:///tmp/x.db?mode=ro",
        "sqlite://user:pw@/tmp/x.db", "postgresql://u:hunter2@h/db?no_such_option=1",
        "postgres://u:hunter2@h:port/db"}) {
    Result<std::shared_ptr<Database>> db = OpenDatabase(url);
    EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument)
        << url << ": " << db.status().ToString();
    EXPECT_THAT(db.status().message(), Not(HasSubstr("hunter2"))) << url;
  }
}

TEST(OpenDatabaseTest, UnreachablePostgresIsUnavailable) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  Result<std::shared_ptr<Database>> db =
      OpenDatabase("postgresql://mirrorvault:hunter2@127.0.0.1:1/mirrorvault");
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable) << db.status().ToString();
  EXPECT_TRUE(db.status().retryable());
  EXPECT_THAT(db.status().message(), HasSubstr("127.0.0.1"));
  EXPECT_THAT(db.status().message(), Not(HasSubstr("hunter2")));
}

TEST(SqliteDatabaseTest, CreatesTheFileAndItsFolder) {
  TempDir dir;
  std::string path = dir.path() + "/a/b/catalog.db";
  auto db = Open("sqlite://" + path);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dialect(), Dialect::kSqlite);
  EXPECT_EQ(db->Describe(), "sqlite://" + path);
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0);
}

TEST(SqliteDatabaseTest, PercentEscapesInThePath) {
  TempDir dir;
  auto db = Open("sqlite://" + dir.path() + "/with%20space.db");
  ASSERT_NE(db, nullptr);
  struct stat st {};
  EXPECT_EQ(stat((dir.path() + "/with space.db").c_str(), &st), 0);
}

TEST(SqliteDatabaseTest, MissingFolderWithoutCreateIsNotFound) {
  TempDir dir;
  Result<std::shared_ptr<Database>> db =
      OpenDatabase("sqlite://" + dir.path() + "/missing/catalog.db", {.create = false});
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound) << db.status().ToString();
}

TEST(SqliteDatabaseTest, FileThatIsNotADatabaseIsCorruption) {
  TempDir dir;
  std::string path = dir.path() + "/junk.db";
  std::ofstream(path) << std::string(8192, 'x');
  Result<std::shared_ptr<Database>> db = OpenDatabase("sqlite://" + path);
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().ToString();
}

TEST(SqliteDatabaseTest, DataPersistsAcrossOpens) {
  TempDir dir;
  std::string url = "sqlite://" + dir.path() + "/catalog.db";
  {
    auto db = Open(url);
    ASSERT_NE(db, nullptr);
    auto c = db->Acquire();
    MV_DB_ASSERT_OK(c);
    MV_DB_ASSERT_OK((*c)->Execute("CREATE TABLE t (x BIGINT)"));
    MV_DB_ASSERT_OK((*c)->Execute("INSERT INTO t (x) VALUES (42)"));
  }
  auto db = Open(url);
  ASSERT_NE(db, nullptr);
  auto c = db->Acquire();
  MV_DB_ASSERT_OK(c);
  auto rows = (*c)->QueryAll("SELECT x FROM t");
  MV_DB_ASSERT_OK(rows);
  EXPECT_EQ(*rows, std::vector<std::vector<Value>>{{int64_t{42}}});
}

TEST(SqliteDatabaseTest, ConnectionSettings) {
  TempDir dir;
  auto db = Open("sqlite://" + dir.path() + "/catalog.db", {.busy_timeout_ms = 1234});
  ASSERT_NE(db, nullptr);
  auto c = db->Acquire();
  MV_DB_ASSERT_OK(c);
  auto one = [&](const char* sql) {
    auto rows = (*c)->QueryAll(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && rows->size() == 1 ? (*rows)[0][0] : Value(nullptr);
  };
  EXPECT_EQ(one("PRAGMA journal_mode"), Value(std::string("wal")));
  EXPECT_EQ(one("PRAGMA foreign_keys"), Value(int64_t{1}));
  EXPECT_EQ(one("PRAGMA synchronous"), Value(int64_t{1}));  // NORMAL
  EXPECT_EQ(one("PRAGMA busy_timeout"), Value(int64_t{1234}));
}

TEST(SqliteDatabaseTest, EachMemoryDatabaseIsItsOwn) {
  auto a = Open("sqlite::memory:");
  auto b = Open("sqlite::memory:");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->Describe(), "sqlite::memory:");
  auto ca = a->Acquire();
  auto cb = b->Acquire();
  MV_DB_ASSERT_OK(ca);
  MV_DB_ASSERT_OK(cb);
  MV_DB_ASSERT_OK((*ca)->Execute("CREATE TABLE t (x BIGINT)"));
  MV_DB_EXPECT_CODE((*cb)->Execute("SELECT x FROM t"), StatusCode::kInvalidArgument);
  // Another connection of the same Database sees the table.
  auto ca2 = a->Acquire();
  MV_DB_ASSERT_OK(ca2);
  EXPECT_NE(ca2->get(), ca->get());
  MV_DB_EXPECT_OK((*ca2)->Execute("SELECT x FROM t"));
}

TEST(SqliteDatabaseTest, MemoryDatabaseLivesWhileTheDatabaseDoes) {
  auto db = Open("sqlite::memory:", {.max_idle_connections = 0});
  ASSERT_NE(db, nullptr);
  {
    auto c = db->Acquire();
    MV_DB_ASSERT_OK(c);
    MV_DB_ASSERT_OK((*c)->Execute("CREATE TABLE t (x BIGINT)"));
  }  // closed: no idle connections are kept
  auto c = db->Acquire();
  MV_DB_ASSERT_OK(c);
  MV_DB_EXPECT_OK((*c)->Execute("SELECT x FROM t"));
}

TEST(SqliteDatabaseTest, LeaseMayOutliveTheDatabase) {
  auto db = Open("sqlite::memory:");
  ASSERT_NE(db, nullptr);
  auto c = db->Acquire();
  MV_DB_ASSERT_OK(c);
  db.reset();
  MV_DB_EXPECT_OK((*c)->Execute("CREATE TABLE t (x BIGINT)"));
}

TEST(SqliteDatabaseTest, LockHeldPastBusyTimeoutIsUnavailable) {
  TempDir dir;
  auto db = Open("sqlite://" + dir.path() + "/catalog.db", {.busy_timeout_ms = 50});
  ASSERT_NE(db, nullptr);
  auto a = db->Acquire();
  auto b = db->Acquire();
  MV_DB_ASSERT_OK(a);
  MV_DB_ASSERT_OK(b);
  MV_DB_ASSERT_OK((*a)->Execute("CREATE TABLE t (x BIGINT)"));
  MV_DB_ASSERT_OK((*a)->Begin(TransactionMode::kWrite));
  auto start = std::chrono::steady_clock::now();
  Status busy = (*b)->Begin(TransactionMode::kWrite);
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable) << busy.ToString();
  EXPECT_TRUE(busy.retryable());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
  MV_DB_EXPECT_CODE((*b)->Execute("INSERT INTO t (x) VALUES (1)"), StatusCode::kUnavailable);
  // WAL: readers are not blocked by the writer.
  MV_DB_EXPECT_OK((*b)->Execute("SELECT x FROM t"));
  // WithTransaction waits it out once the writer finishes.
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    MV_DB_EXPECT_OK((*a)->Commit());
  });
  MV_DB_EXPECT_OK(WithTransaction(
      **b, TransactionMode::kWrite,
      [](Connection& tx) { return tx.Execute("INSERT INTO t (x) VALUES (2)").status(); },
      /*max_attempts=*/50));
  release.join();
}

TEST(SqliteDatabaseTest, RealValuesReadAsText) {
  auto db = Open("sqlite::memory:");
  ASSERT_NE(db, nullptr);
  auto c = db->Acquire();
  MV_DB_ASSERT_OK(c);
  MV_DB_ASSERT_OK((*c)->Query("SELECT 1.5, 2.0", {}, [](const Row& r) {
    EXPECT_EQ(r.Type(0), ValueType::kText);
    EXPECT_EQ(r.Text(0), "1.5");
    EXPECT_THROW(r.Int(0), std::logic_error);
    EXPECT_EQ(r.Int(1), 2);
    return Status::Ok();
  }));
}

TEST(SqliteDatabaseTest, OtherParameterSpellingsAreRefused) {
  auto db = Open("sqlite::memory:");
  ASSERT_NE(db, nullptr);
  auto c = db->Acquire();
  MV_DB_ASSERT_OK(c);
  const Value one[] = {int64_t{1}};
  MV_DB_EXPECT_CODE((*c)->Execute("SELECT ?", one), StatusCode::kInvalidArgument);
  MV_DB_EXPECT_CODE((*c)->Execute("SELECT :a", one), StatusCode::kInvalidArgument);
  MV_DB_EXPECT_CODE((*c)->Execute("SELECT $01", one), StatusCode::kInvalidArgument);
  MV_DB_EXPECT_OK((*c)->Execute("SELECT $1", one));
  MV_DB_EXPECT_CODE((*c)->Execute("  "), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mv::db
