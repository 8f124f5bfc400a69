// The Database conformance suite: WithTransaction's retries and concurrent writers.
#include <gmock/gmock.h>

#include <atomic>
#include <thread>

#include "db/database_conformance.h"

namespace mv::db {
namespace {

using ::testing::HasSubstr;

TEST_P(DatabaseConformance, WithTransactionCommitsOrRollsBack) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
  MV_DB_EXPECT_OK(WithTransaction(*c, TransactionMode::kWrite, [&](Connection& tx) {
    EXPECT_TRUE(tx.InTransaction());
    return tx.Execute("INSERT INTO t (id) VALUES (1)").status();
  }));
  EXPECT_FALSE(c->InTransaction());
  int calls = 0;
  Status failed = WithTransaction(*c, TransactionMode::kWrite, [&](Connection& tx) {
    ++calls;
    MV_DB_EXPECT_OK(tx.Execute("INSERT INTO t (id) VALUES (2)"));
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(failed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1) << "a failure that is not retryable is not retried";
  EXPECT_FALSE(c->InTransaction());
  EXPECT_EQ(All(*c, "SELECT id FROM t"), std::vector<std::vector<Value>>{{int64_t{1}}});
}

TEST_P(DatabaseConformance, WithTransactionRetriesRetryableFailures) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE t (attempt BIGINT)");
  int calls = 0;
  Status retried = WithTransaction(*c, TransactionMode::kWrite, [&](Connection& tx) {
    ++calls;
    const Value attempt[] = {int64_t{calls}};
    MV_DB_EXPECT_OK(tx.Execute("INSERT INTO t (attempt) VALUES ($1)", attempt));
    return calls < 3 ? Unavailable("injected: busy") : Status::Ok();
  });
  MV_DB_EXPECT_OK(retried);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(All(*c, "SELECT attempt FROM t"), std::vector<std::vector<Value>>{{int64_t{3}}})
      << "the failed attempts were rolled back";

  calls = 0;
  Status exhausted = WithTransaction(
      *c, TransactionMode::kWrite,
      [&](Connection&) {
        ++calls;
        return Unavailable("injected: always busy");
      },
      /*max_attempts=*/4);
  EXPECT_EQ(exhausted.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(exhausted.retryable());
  EXPECT_THAT(exhausted.message(), HasSubstr("4 attempts"));
  EXPECT_THAT(exhausted.message(), HasSubstr("injected: always busy"));
  EXPECT_EQ(calls, 4);

  calls = 0;
  Status not_retried = WithTransaction(*c, TransactionMode::kRead, [&](Connection&) {
    ++calls;
    return AlreadyExists("injected");
  });
  EXPECT_EQ(not_retried.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(c->InTransaction());
}

TEST_P(DatabaseConformance, WithTransactionRollsBackWhenFnThrows) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE t (id BIGINT)");
  EXPECT_THROW((void)WithTransaction(*c, TransactionMode::kWrite,
                                     [](Connection& tx) -> Status {
                                       (void)tx.Execute("INSERT INTO t (id) VALUES (1)");
                                       throw std::runtime_error("boom");
                                     }),
               std::runtime_error);
  EXPECT_FALSE(c->InTransaction());
  EXPECT_EQ(Count(*c, "t"), 0);
}

// Read-modify-write in application code from several threads, each on its own connection (half
// of them through another Database object when the database can be reopened): no update is
// lost. SQLite: BEGIN IMMEDIATE plus busy_timeout; PostgreSQL: SELECT ... FOR UPDATE.
TEST_P(DatabaseConformance, ConcurrentWritersLoseNoUpdates) {
  {
    ConnectionLease c = Lease();
    ASSERT_NE(c.get(), nullptr);
    Exec(*c, "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
    Exec(*c, "INSERT INTO counter (id, n) VALUES (1, 0)");
  }
  const std::string read = postgres() ? "SELECT n FROM counter WHERE id = 1 FOR UPDATE"
                                      : "SELECT n FROM counter WHERE id = 1";
  constexpr int kThreads = 4;
  constexpr int kIncrements = 25;
  std::shared_ptr<Database> other = OpenAgain();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Database& database = t % 2 == 0 ? db() : *other;
      Result<ConnectionLease> lease = database.Acquire();
      if (!lease.ok()) {
        ADD_FAILURE() << lease.status().ToString();
        ++failures;
        return;
      }
      for (int i = 0; i < kIncrements; ++i) {
        Status s = WithTransaction(**lease, TransactionMode::kWrite, [&](Connection& tx) {
          int64_t n = -1;
          MV_RETURN_IF_ERROR(tx.Query(read, {}, [&n](const Row& row) {
            n = row.Int(0);
            return Status::Ok();
          }));
          const Value next[] = {n + 1};
          return tx.Execute("UPDATE counter SET n = $1 WHERE id = 1", next).status();
        });
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ConnectionLease c = Lease();
  EXPECT_EQ(All(*c, "SELECT n FROM counter"),
            std::vector<std::vector<Value>>{{int64_t{kThreads * kIncrements}}});
}

// Autocommit statements from several threads at once wait for each other (busy handling).
TEST_P(DatabaseConformance, ConcurrentAutocommitWrites) {
  {
    ConnectionLease c = Lease();
    ASSERT_NE(c.get(), nullptr);
    Exec(*c, "CREATE TABLE log (thread BIGINT, i BIGINT, PRIMARY KEY (thread, i))");
  }
  constexpr int kThreads = 4;
  constexpr int kRows = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<ConnectionLease> lease = db().Acquire();
      if (!lease.ok()) {
        ADD_FAILURE() << lease.status().ToString();
        return;
      }
      for (int64_t i = 0; i < kRows; ++i) {
        const Value row[] = {int64_t{t}, i};
        Result<int64_t> n = (*lease)->Execute("INSERT INTO log (thread, i) VALUES ($1, $2)", row);
        if (!n.ok() || *n != 1) ADD_FAILURE() << n.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  ConnectionLease c = Lease();
  EXPECT_EQ(Count(*c, "log"), kThreads * kRows);
}

}  // namespace
}  // namespace mv::db
