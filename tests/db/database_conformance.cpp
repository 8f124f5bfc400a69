// The Database conformance suite: values, parameters, counts, errors, transactions, leases.
#include "db/database_conformance.h"

#include <gmock/gmock.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace mv::db {

using ::testing::HasSubstr;

void DatabaseConformance::SetUp() {
  target_ = GetParam().make();
  ASSERT_FALSE(target_.url.empty()) << "the factory made no database";
  Result<std::shared_ptr<Database>> db = OpenDatabase(target_.url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = *db;
}

ConnectionLease DatabaseConformance::Lease() {
  Result<ConnectionLease> lease = db_->Acquire();
  if (!lease.ok()) {
    ADD_FAILURE() << "Acquire: " << lease.status().ToString();
    return {};
  }
  return std::move(lease).value();
}

std::shared_ptr<Database> DatabaseConformance::OpenAgain() {
  if (!target_.reopenable) return db_;
  Result<std::shared_ptr<Database>> db = OpenDatabase(target_.url);
  if (!db.ok()) {
    ADD_FAILURE() << "OpenDatabase: " << db.status().ToString();
    return db_;
  }
  return *db;
}

int64_t DatabaseConformance::Exec(Connection& c, std::string_view sql, std::vector<Value> params) {
  Result<int64_t> n = c.Execute(sql, params);
  if (!n.ok()) {
    ADD_FAILURE() << sql << ": " << n.status().ToString();
    return -1;
  }
  return *n;
}

std::vector<std::vector<Value>> DatabaseConformance::All(Connection& c, std::string_view sql,
                                                         std::vector<Value> params) {
  auto rows = c.QueryAll(sql, params);
  if (!rows.ok()) {
    ADD_FAILURE() << sql << ": " << rows.status().ToString();
    return {};
  }
  return *rows;
}

int64_t DatabaseConformance::Count(Connection& c, std::string_view table) {
  auto rows = All(c, "SELECT count(*) FROM " + std::string(table));
  if (rows.size() != 1 || rows[0].size() != 1 || !std::holds_alternative<int64_t>(rows[0][0])) {
    ADD_FAILURE() << "count(*) of " << table << " is not one integer";
    return -1;
  }
  return std::get<int64_t>(rows[0][0]);
}

namespace {

using Rows = std::vector<std::vector<Value>>;

std::string AllByteValues() {
  std::string out;
  for (int i = 0; i < 256; ++i) out += static_cast<char>(i);
  return out + std::string("\0\0end\0", 7);
}

TEST_P(DatabaseConformance, DialectAndName) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(c->dialect(), db().dialect());
  EXPECT_EQ(DialectName(Dialect::kSqlite), "sqlite");
  EXPECT_EQ(DialectName(Dialect::kPostgres), "postgresql");
  EXPECT_FALSE(db().Describe().empty());
}

TEST_P(DatabaseConformance, EveryValueTypeRoundTrips) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, t TEXT, b " + BytesType() + ")");
  const Rows rows = {
      {int64_t{1}, std::numeric_limits<int64_t>::min(), std::string(), Bytes{}},
      {int64_t{2}, std::numeric_limits<int64_t>::max(), std::string("h\xC3\xA9llo \xE2\x9C\x93"),
       Bytes{AllByteValues()}},
      {int64_t{3}, int64_t{0}, nullptr, nullptr},
      {int64_t{4}, int64_t{-1}, std::string("tab\tnl\nquote'dq\"bs\\"),
       Bytes{std::string("\0\0\0", 3)}},
      {int64_t{5}, nullptr, std::string("NULL"), Bytes{"\\x00"}},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(Exec(*c, "INSERT INTO v (id, i, t, b) VALUES ($1, $2, $3, $4)", row), 1);
  }
  EXPECT_EQ(All(*c, "SELECT id, i, t, b FROM v ORDER BY id"), rows);

  // The accessors, row by row.
  int seen = 0;
  MV_DB_EXPECT_OK(c->Query("SELECT id, i, t, b FROM v ORDER BY id", {}, [&](const Row& r) {
    EXPECT_EQ(r.size(), 4u);
    int64_t id = r.Int(0);
    const auto& want = rows[static_cast<size_t>(id - 1)];
    if (want[1] == Value(nullptr)) {
      EXPECT_TRUE(r.IsNull(1));
      EXPECT_EQ(r.Type(1), ValueType::kNull);
    } else {
      EXPECT_EQ(r.Type(1), ValueType::kInteger);
      EXPECT_EQ(r.Int(1), std::get<int64_t>(want[1]));
      EXPECT_EQ(r.Text(1), std::to_string(std::get<int64_t>(want[1])));
    }
    if (want[2] == Value(nullptr)) {
      EXPECT_TRUE(r.IsNull(2));
      EXPECT_THROW(r.Text(2), std::logic_error);
      EXPECT_THROW(r.Int(2), std::logic_error);
    } else {
      EXPECT_FALSE(r.IsNull(2));
      EXPECT_EQ(r.Type(2), ValueType::kText);
      EXPECT_EQ(r.Text(2), std::get<std::string>(want[2]));
      EXPECT_THROW(r.Blob(2), std::logic_error);
    }
    if (want[3] == Value(nullptr)) {
      EXPECT_TRUE(r.IsNull(3));
      EXPECT_THROW(r.Blob(3), std::logic_error);
    } else {
      EXPECT_EQ(r.Type(3), ValueType::kBytes);
      EXPECT_EQ(r.Blob(3), std::get<Bytes>(want[3]).data);
      EXPECT_THROW(r.Text(3), std::logic_error);
      EXPECT_THROW(r.Int(3), std::logic_error);
    }
    EXPECT_THROW(r.Int(4), std::logic_error);  // past the last column
    ++seen;
    return Status::Ok();
  }));
  EXPECT_EQ(seen, 5);

  // Exact matches on the extremes and on bytes with NULs.
  EXPECT_EQ(All(*c, "SELECT id FROM v WHERE i = $1", {std::numeric_limits<int64_t>::min()}),
            Rows{{int64_t{1}}});
  EXPECT_EQ(All(*c, "SELECT id FROM v WHERE b = $1", {Bytes{std::string("\0\0\0", 3)}}),
            Rows{{int64_t{4}}});
}

TEST_P(DatabaseConformance, EmptyStringIsNotNull) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE e (id BIGINT PRIMARY KEY, t TEXT, b " + BytesType() + ")");
  Exec(*c, "INSERT INTO e (id, t, b) VALUES ($1, $2, $3)", {int64_t{1}, std::string(), Bytes{}});
  Exec(*c, "INSERT INTO e (id, t, b) VALUES ($1, $2, $3)", {int64_t{2}, nullptr, nullptr});
  EXPECT_EQ(All(*c, "SELECT id FROM e WHERE t IS NULL"), Rows{{int64_t{2}}});
  EXPECT_EQ(All(*c, "SELECT id FROM e WHERE t = $1", {std::string()}), Rows{{int64_t{1}}});
  EXPECT_EQ(All(*c, "SELECT id FROM e WHERE b IS NULL"), Rows{{int64_t{2}}});
  EXPECT_EQ(All(*c, "SELECT id FROM e WHERE b IS NOT NULL"), Rows{{int64_t{1}}});
  EXPECT_EQ(All(*c, "SELECT t, b FROM e WHERE id = 1"), (Rows{{std::string(), Bytes{}}}));
}

TEST_P(DatabaseConformance, IntegersGivenAsTextConvert) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE n (t TEXT)");
  Exec(*c, "INSERT INTO n (t) VALUES ($1)", {std::string("-9223372036854775808")});
  Exec(*c, "INSERT INTO n (t) VALUES ($1)", {std::string("12x")});
  std::vector<std::string> texts;
  MV_DB_EXPECT_OK(c->Query("SELECT t FROM n ORDER BY length(t) DESC", {}, [&](const Row& r) {
    texts.push_back(r.Text(0));
    if (texts.size() == 1) {
      EXPECT_EQ(r.Int(0), std::numeric_limits<int64_t>::min());
    } else {
      EXPECT_THROW(r.Int(0), std::logic_error);
    }
    return Status::Ok();
  }));
  EXPECT_EQ(texts.size(), 2u);
}

TEST_P(DatabaseConformance, ParametersInAnyOrderAndReused) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE p (id BIGINT PRIMARY KEY, a TEXT, b BIGINT)");
  EXPECT_EQ(Exec(*c, "INSERT INTO p (b, a, id) VALUES ($3, $2, $1)",
                 {int64_t{1}, std::string("x"), int64_t{10}}),
            1);
  EXPECT_EQ(
      Exec(*c, "INSERT INTO p (id, a, b) VALUES ($2, $1, $2)", {std::string("y"), int64_t{20}}), 1);
  EXPECT_EQ(All(*c, "SELECT id, a, b FROM p ORDER BY id"),
            (Rows{{int64_t{1}, std::string("x"), int64_t{10}},
                  {int64_t{20}, std::string("y"), int64_t{20}}}));
  EXPECT_EQ(All(*c, "SELECT id FROM p WHERE b = $1 OR id = $1 ORDER BY id", {int64_t{20}}),
            Rows{{int64_t{20}}});
  EXPECT_EQ(All(*c, "SELECT id FROM p WHERE a = $2 AND b = $1", {int64_t{10}, std::string("x")}),
            Rows{{int64_t{1}}});

  // $1 and $10 are different parameters.
  Exec(*c,
       "CREATE TABLE w (c1 BIGINT, c2 BIGINT, c3 BIGINT, c4 BIGINT, c5 BIGINT, c6 BIGINT, "
       "c7 BIGINT, c8 BIGINT, c9 BIGINT, c10 BIGINT, c11 BIGINT)");
  std::vector<Value> eleven;
  for (int64_t i = 1; i <= 11; ++i) eleven.push_back(i * 100);
  Exec(*c, "INSERT INTO w VALUES ($11, $10, $9, $8, $7, $6, $5, $4, $3, $2, $1)", eleven);
  EXPECT_EQ(All(*c, "SELECT c1, c2, c10, c11 FROM w"),
            (Rows{{int64_t{1100}, int64_t{1000}, int64_t{200}, int64_t{100}}}));

  // The same statement again with other values (prepared once, rebound).
  for (int64_t i = 100; i < 110; ++i) {
    EXPECT_EQ(Exec(*c, "INSERT INTO p (id, a, b) VALUES ($1, $2, $3)",
                   {i, std::string("r") + std::to_string(i), nullptr}),
              1);
  }
  EXPECT_EQ(All(*c, "SELECT count(*) FROM p WHERE b IS NULL"), Rows{{int64_t{10}}});
}

TEST_P(DatabaseConformance, WrongParameterCountIsInvalidArgument) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE p (id BIGINT PRIMARY KEY, a TEXT)");
  const Value one[] = {int64_t{1}};
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO p (id, a) VALUES ($1, $2)", one),
                    StatusCode::kInvalidArgument);
  const Value two[] = {int64_t{1}, int64_t{2}};
  MV_DB_EXPECT_CODE(c->Execute("SELECT id FROM p WHERE id = $1", two),
                    StatusCode::kInvalidArgument);
  // The connection still works.
  EXPECT_EQ(Exec(*c, "INSERT INTO p (id, a) VALUES ($1, $2)", {int64_t{1}, std::string("a")}), 1);
}

TEST_P(DatabaseConformance, AffectedRowCounts) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(Exec(*c, "CREATE TABLE a (id BIGINT PRIMARY KEY, g BIGINT)"), 0);
  EXPECT_EQ(Exec(*c, "INSERT INTO a (id, g) VALUES (1, 1)"), 1);
  EXPECT_EQ(Exec(*c, "INSERT INTO a (id, g) VALUES (2, 1), (3, 2), (4, 2)"), 3);
  EXPECT_EQ(Exec(*c, "UPDATE a SET g = 5 WHERE g = $1", {int64_t{2}}), 2);
  EXPECT_EQ(Exec(*c, "UPDATE a SET g = 6 WHERE id = 99"), 0);
  EXPECT_EQ(Exec(*c, "SELECT id FROM a"), 0);  // reads change nothing
  EXPECT_EQ(Exec(*c, "CREATE INDEX a_g ON a (g)"), 0);
  EXPECT_EQ(Exec(*c, "DELETE FROM a WHERE id = 99"), 0);
  EXPECT_EQ(Exec(*c, "DELETE FROM a"), 4);
}

TEST_P(DatabaseConformance, UniqueViolationIsAlreadyExists) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE u (id BIGINT PRIMARY KEY, name TEXT UNIQUE)");
  Exec(*c, "INSERT INTO u (id, name) VALUES (1, 'a')");
  Result<int64_t> dup_key = c->Execute("INSERT INTO u (id, name) VALUES (1, 'b')");
  MV_DB_EXPECT_CODE(dup_key, StatusCode::kAlreadyExists);
  EXPECT_FALSE(dup_key.status().retryable());
  EXPECT_THAT(dup_key.status().message(), HasSubstr("INSERT INTO u"));
  EXPECT_THAT(dup_key.status().message(), HasSubstr(db().Describe()));
  const Value params[] = {int64_t{2}, std::string("a")};
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO u (id, name) VALUES ($1, $2)", params),
                    StatusCode::kAlreadyExists);
  EXPECT_EQ(Count(*c, "u"), 1);
}

TEST_P(DatabaseConformance, OtherConstraintViolations) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE parent (id BIGINT PRIMARY KEY)");
  Exec(*c,
       "CREATE TABLE child (id BIGINT PRIMARY KEY, parent BIGINT NOT NULL REFERENCES "
       "parent (id), n BIGINT CHECK (n > 0))");
  Exec(*c, "INSERT INTO parent (id) VALUES (1)");
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO child (id, parent, n) VALUES (1, 2, 1)"),
                    StatusCode::kPreconditionFailed);
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO child (id, parent, n) VALUES (1, NULL, 1)"),
                    StatusCode::kInvalidArgument);
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO child (id, parent, n) VALUES (1, 1, 0)"),
                    StatusCode::kInvalidArgument);
  EXPECT_EQ(Exec(*c, "INSERT INTO child (id, parent, n) VALUES (1, 1, 1)"), 1);
  MV_DB_EXPECT_CODE(c->Execute("DELETE FROM parent WHERE id = 1"), StatusCode::kPreconditionFailed);
}

TEST_P(DatabaseConformance, BadSqlIsInvalidArgumentNamingTheStatement) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Result<int64_t> typo = c->Execute("SELEC 1");
  MV_DB_EXPECT_CODE(typo, StatusCode::kInvalidArgument);
  EXPECT_THAT(typo.status().message(), HasSubstr("SELEC 1"));
  EXPECT_THAT(typo.status().message(), HasSubstr(db().Describe()));
  EXPECT_FALSE(typo.status().retryable());

  Status missing =
      c->Query("SELECT x FROM no_such_table WHERE y = $1", std::vector<Value>{int64_t{1}},
               [](const Row&) { return Status::Ok(); });
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument) << missing.ToString();
  EXPECT_THAT(missing.message(), HasSubstr("no_such_table"));

  // A long statement is named by its first words.
  std::string longer = "SELECT nothing_here FROM t1 WHERE " + std::string(500, ' ') + "a = 1";
  Result<int64_t> cut = c->Execute(longer);
  MV_DB_EXPECT_CODE(cut, StatusCode::kInvalidArgument);
  EXPECT_THAT(cut.status().message(), HasSubstr("SELECT nothing_here FROM t1 WHERE a = 1"));

  MV_DB_EXPECT_CODE(c->Execute("CREATE TABLE x1 (a BIGINT); CREATE TABLE x2 (a BIGINT)"),
                    StatusCode::kInvalidArgument);
  EXPECT_EQ(Exec(*c, "SELECT 1"), 0);  // still usable
}

TEST_P(DatabaseConformance, ExecuteScriptRunsSeveralStatements) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  MV_DB_EXPECT_OK(
      c->ExecuteScript("CREATE TABLE s1 (x BIGINT);\n"
                       "-- a comment\n"
                       "INSERT INTO s1 (x) VALUES (1);\n"
                       "INSERT INTO s1 (x) VALUES (2);\n"));
  EXPECT_EQ(Count(*c, "s1"), 2);
  MV_DB_EXPECT_OK(c->ExecuteScript(""));
  Status bad = c->ExecuteScript("INSERT INTO s1 (x) VALUES (3); SELEC oops");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << bad.ToString();
}

TEST_P(DatabaseConformance, TransactionsCommitAndRollBack) {
  ConnectionLease c = Lease();
  ConnectionLease other = Lease();
  ASSERT_NE(c.get(), nullptr);
  ASSERT_NE(other.get(), nullptr);
  Exec(*c, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
  EXPECT_FALSE(c->InTransaction());
  MV_DB_ASSERT_OK(c->Begin(TransactionMode::kWrite));
  EXPECT_TRUE(c->InTransaction());
  MV_DB_EXPECT_CODE(c->Begin(TransactionMode::kWrite), StatusCode::kInvalidArgument);
  Exec(*c, "INSERT INTO t (id) VALUES (1)");
  MV_DB_ASSERT_OK(c->Commit());
  EXPECT_FALSE(c->InTransaction());
  EXPECT_EQ(Count(*other, "t"), 1);

  MV_DB_ASSERT_OK(c->Begin(TransactionMode::kWrite));
  Exec(*c, "INSERT INTO t (id) VALUES (2)");
  EXPECT_EQ(Count(*c, "t"), 2);
  MV_DB_ASSERT_OK(c->Rollback());
  EXPECT_FALSE(c->InTransaction());
  EXPECT_EQ(Count(*c, "t"), 1);
  EXPECT_EQ(Count(*other, "t"), 1);

  MV_DB_ASSERT_OK(c->Begin(TransactionMode::kRead));
  EXPECT_EQ(Count(*c, "t"), 1);
  MV_DB_ASSERT_OK(c->Commit());

  MV_DB_EXPECT_CODE(c->Commit(), StatusCode::kInvalidArgument);
  MV_DB_EXPECT_OK(c->Rollback());  // nothing to roll back
}

// A failed statement: SQLite undoes that statement only, PostgreSQL fails the transaction and
// Commit reports the failure (header: Connection::Commit).
TEST_P(DatabaseConformance, FailedStatementInsideTransaction) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
  MV_DB_ASSERT_OK(c->Begin(TransactionMode::kWrite));
  Exec(*c, "INSERT INTO t (id) VALUES (1)");
  MV_DB_EXPECT_CODE(c->Execute("INSERT INTO t (id) VALUES (1)"), StatusCode::kAlreadyExists);
  Status commit = c->Commit();
  EXPECT_FALSE(c->InTransaction());
  if (postgres()) {
    EXPECT_EQ(commit.code(), StatusCode::kAlreadyExists) << commit.ToString();
    EXPECT_EQ(Count(*c, "t"), 0);
  } else {
    MV_DB_EXPECT_OK(commit);
    EXPECT_EQ(Count(*c, "t"), 1);
  }
}

TEST_P(DatabaseConformance, LeaseReturnsConnectionToPool) {
  Connection* first = nullptr;
  {
    ConnectionLease c = Lease();
    ASSERT_NE(c.get(), nullptr);
    first = c.get();
    Exec(*c, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
  }
  {
    ConnectionLease c = Lease();
    EXPECT_EQ(c.get(), first) << "the idle connection is reused";
    ConnectionLease second = Lease();
    ASSERT_NE(second.get(), nullptr);
    EXPECT_NE(second.get(), first) << "a leased connection is not handed out twice";
    EXPECT_EQ(Count(*second, "t"), 0);

    ConnectionLease moved = std::move(second);
    EXPECT_EQ(second.get(), nullptr);  // NOLINT(bugprone-use-after-move): checking the move
    EXPECT_EQ(Count(*moved, "t"), 0);
    moved = std::move(c);  // gives the second connection back, takes the first
    EXPECT_EQ(moved.get(), first);
  }
}

TEST_P(DatabaseConformance, LeaseRollsBackOpenTransaction) {
  Connection* first = nullptr;
  {
    ConnectionLease c = Lease();
    ASSERT_NE(c.get(), nullptr);
    first = c.get();
    Exec(*c, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    MV_DB_ASSERT_OK(c->Begin(TransactionMode::kWrite));
    Exec(*c, "INSERT INTO t (id) VALUES (1)");
  }
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  EXPECT_EQ(c.get(), first);
  EXPECT_FALSE(c->InTransaction());
  EXPECT_EQ(Count(*c, "t"), 0);
  // The write lock was released: another connection can write.
  ConnectionLease other = Lease();
  EXPECT_EQ(Exec(*other, "INSERT INTO t (id) VALUES (2)"), 1);
}

TEST_P(DatabaseConformance, UpsertAndReturning) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
  constexpr std::string_view kUpsert =
      "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v "
      "RETURNING k, v";
  EXPECT_EQ(All(*c, kUpsert, {std::string("a"), int64_t{5}}),
            (Rows{{std::string("a"), int64_t{5}}}));
  EXPECT_EQ(All(*c, kUpsert, {std::string("a"), int64_t{7}}),
            (Rows{{std::string("a"), int64_t{12}}}));
  EXPECT_EQ(Exec(*c, kUpsert, {std::string("b"), int64_t{1}}), 1);
  EXPECT_EQ(Exec(*c, kUpsert, {std::string("b"), int64_t{1}}), 1);
  constexpr std::string_view kInsertOnce =
      "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING RETURNING v";
  EXPECT_EQ(All(*c, kInsertOnce, {std::string("a"), int64_t{100}}), Rows{});
  EXPECT_EQ(Exec(*c, kInsertOnce, {std::string("a"), int64_t{100}}), 0);
  EXPECT_EQ(All(*c, kInsertOnce, {std::string("c"), int64_t{3}}), Rows{{int64_t{3}}});
  EXPECT_EQ(All(*c, "UPDATE kv SET v = v * 10 WHERE k = $1 RETURNING v", {std::string("b")}),
            Rows{{int64_t{20}}});
  EXPECT_EQ(All(*c, "DELETE FROM kv WHERE k = $1 RETURNING k, v", {std::string("a")}),
            (Rows{{std::string("a"), int64_t{12}}}));
  EXPECT_EQ(Count(*c, "kv"), 2);
}

TEST_P(DatabaseConformance, VisitorErrorStopsQuery) {
  ConnectionLease c = Lease();
  ASSERT_NE(c.get(), nullptr);
  Exec(*c, "CREATE TABLE r (id BIGINT PRIMARY KEY)");
  for (int64_t i = 1; i <= 5; ++i) Exec(*c, "INSERT INTO r (id) VALUES ($1)", {i});
  constexpr std::string_view kAll = "SELECT id FROM r ORDER BY id";
  int visited = 0;
  Status stopped = c->Query(
      kAll, {}, [&](const Row&) { return ++visited == 2 ? NotFound("enough") : Status::Ok(); });
  EXPECT_EQ(stopped.code(), StatusCode::kNotFound);
  EXPECT_EQ(stopped.message(), "enough");
  EXPECT_EQ(visited, 2);

  // A throwing accessor leaves the statement reusable too.
  EXPECT_THROW((void)c->Query(kAll, {},
                              [](const Row& r) {
                                (void)r.Blob(0);
                                return Status::Ok();
                              }),
               std::logic_error);
  EXPECT_EQ(All(*c, kAll).size(), 5u);

  // The same statement again from inside its own visitor.
  int inner_rows = 0;
  MV_DB_EXPECT_OK(c->Query(kAll, {}, [&](const Row&) {
    inner_rows += static_cast<int>(All(*c, kAll).size());
    return Status::Ok();
  }));
  EXPECT_EQ(inner_rows, 25);
}

}  // namespace
}  // namespace mv::db
