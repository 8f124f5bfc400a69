// The commit protocol under store faults: failed and torn puts (blobs, tree nodes, the run record)
// never leave a committed run that references a missing or corrupt object, and the next import
// completes.
#include "archive/recovery.h"
#include "importer/import_test_util.h"
#include "importer/run_start.h"
#include "store/fault_injecting_store.h"

namespace mv::testing {
namespace {

class ImportFaultsTest : public ImportFixture {
 protected:
  void MakeTree(int seed) {
    for (int i = 0; i < 60; ++i) {
      Write("pool/d" + std::to_string(i % 6) + "/f" + std::to_string(i),
            store::RandomBytes(100 + i * 37, seed * 1000 + i));
    }
    Write("dists/Release", "release " + std::to_string(seed));
  }

  // Every run the store holds is in the catalog and whole; nothing else is listed.
  void ExpectConsistent() {
    archive::FsckReport report = Fsck(/*deep=*/true);
    EXPECT_TRUE(report.notes.empty());
    auto stored = archive::ListStoredRuns(*store_, "debian");
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    auto listed = catalog_->ListRuns("debian");
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(stored->size(), listed->size());
  }
};

TEST_F(ImportFaultsTest, FailedPutsNeverCommitAPartialRun) {
  int failed = 0;
  for (int round = 0; round < 12; ++round) {
    MakeTree(round);
    auto faulty = std::make_shared<store::FaultInjectingStore>(store_, /*seed=*/round + 1);
    // Blobs, tree nodes or the run record: each round fails a different mix.
    const char* prefixes[] = {"blobs/", "trees/", "runs/"};
    ASSERT_TRUE(faulty
                    ->AddRule({.ops = store::StoreOp::kPut,
                               .key_prefix = prefixes[round % 3],
                               .probability = 0.2,
                               .status = Unavailable("injected put failure")})
                    .ok());
    auto result = Import("debian", std::nullopt, faulty);
    if (!result.ok()) {
      ++failed;
      EXPECT_NE(result.status().message().find("injected put failure"), std::string::npos)
          << result.status().ToString();
    }
    ExpectConsistent();
  }
  EXPECT_GT(failed, 0) << "the faults never fired: the test proves nothing";
  MakeTree(99);
  ASSERT_TRUE(Import().ok());
  ExpectConsistent();
}

// The store's Sync is the durability barrier before the record: whether the early one (blobs,
// started while the tree is built) or the last one (tree nodes) fails, no run is committed.
TEST_F(ImportFaultsTest, FailedSyncNeverCommits) {
  for (uint64_t nth : {1, 2}) {
    MakeTree(static_cast<int>(nth));
    auto faulty = std::make_shared<store::FaultInjectingStore>(store_);
    ASSERT_TRUE(faulty
                    ->AddRule({.ops = store::StoreOp::kSync,
                               .nth = nth,
                               .status = Unavailable("injected sync failure")})
                    .ok());
    auto result = Import("debian", std::nullopt, faulty);
    ASSERT_FALSE(result.ok()) << "sync " << nth << " failed, yet the import committed";
    EXPECT_NE(result.status().message().find("injected sync failure"), std::string::npos)
        << result.status().ToString();
    EXPECT_EQ(faulty->Faults(store::StoreOp::kSync), 1u);
    ExpectConsistent();
    auto listed = catalog_->ListRuns("debian");
    ASSERT_TRUE(listed.ok());
    EXPECT_TRUE(listed->empty());
  }
  ASSERT_TRUE(Import().ok());
  ExpectConsistent();
}

TEST_F(ImportFaultsTest, TornPutsLeaveNoCorruptObjectInACommittedRun) {
  int failed = 0;
  for (int round = 0; round < 9; ++round) {
    MakeTree(100 + round);
    auto faulty = std::make_shared<store::FaultInjectingStore>(store_, /*seed=*/round + 7);
    const char* prefixes[] = {"blobs/", "trees/", "runs/"};
    ASSERT_TRUE(faulty
                    ->AddRule({.ops = store::StoreOp::kPut,
                               .key_prefix = prefixes[round % 3],
                               .probability = 0.3,
                               .status = Unavailable("injected torn put"),
                               .truncate_after = 10})
                    .ok());
    auto result = Import("debian", std::nullopt, faulty);
    if (!result.ok()) ++failed;
    ExpectConsistent();
  }
  EXPECT_GT(failed, 0);
  // The same contents again, without faults: torn objects are rewritten whole.
  for (int round = 0; round < 9; ++round) {
    MakeTree(100 + round);
    ASSERT_TRUE(Import().ok());
  }
  ExpectConsistent();
}

TEST_F(ImportFaultsTest, RunRecordWrittenButCatalogNotUpdatedIsRecovered) {
  MakeTree(1);
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  // The same store with a fresh catalog: as if the catalog update after the commit point was
  // lost (a crash between steps 3 and 4).
  auto fresh_db = db::OpenDatabase("sqlite://" + tmp_.path() + "/other.db");
  ASSERT_TRUE(fresh_db.ok());
  auto fresh = archive::Catalog::Open(*fresh_db);
  ASSERT_TRUE(fresh.ok());
  auto report = archive::Fsck(*store_, fresh->get(), {}, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty());
  ASSERT_EQ(report->notes.size(), 1u);
  auto added = archive::RecoverRuns(*store_, **fresh, "debian");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(added->size(), 1u);
  auto runs = (*fresh)->ListRuns("debian");
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  auto original = catalog_->ListRuns("debian");
  EXPECT_EQ((*runs)[0], (*original)[0]);
  // Recovering again adds nothing.
  auto again = archive::RecoverRuns(*store_, **fresh, "debian");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

// A writer looks only at the runs after the catalog's latest for ones to recover (a listing of
// the new keys, not of the archive's whole history), unless it took the lock from a writer that
// died: that one may have committed a back-dated run the catalog never recorded.
TEST_F(ImportFaultsTest, AWriterAfterOneThatDiedRecoversBackDatedRunsToo) {
  for (const char* run : {"20240101T000000Z", "20240301T000000Z"}) {
    MakeTree(run[5] - '0');
    ASSERT_TRUE(Import("debian", run).ok());
  }
  // Another catalog of the same store, up to date with it...
  auto other_db = db::OpenDatabase("sqlite://" + tmp_.path() + "/other.db");
  ASSERT_TRUE(other_db.ok());
  auto other = archive::Catalog::Open(*other_db);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(archive::RecoverRuns(*store_, **other, "debian").ok());
  // ...then a back-dated run and a later run it never recorded: as if their writers had died
  // between the run record and the catalog.
  for (const char* run : {"20240201T000000Z", "20240401T000000Z"}) {
    MakeTree(run[5] - '0');
    ASSERT_TRUE(Import("debian", run).ok());
  }
  auto start = [&]() {
    return importer::StartRun(*store_, **other,
                              {.archive = "debian", .started = std::chrono::system_clock::now()});
  };
  auto has = [&](const char* run) {
    auto row = (*other)->GetRun("debian", *RunId::Parse(run));
    return row.ok() && row->has_value();
  };
  {
    auto clean = start();
    ASSERT_TRUE(clean.ok()) << clean.status().ToString();
    EXPECT_FALSE(clean->lock->previous_holder_died());
  }
  EXPECT_TRUE(has("20240401T000000Z")) << "a run after the latest is found by the short listing";
  EXPECT_FALSE(has("20240201T000000Z")) << "the short listing does not reach back";
  // The writer that died left its lock row behind, expired.
  {
    auto conn = (*other_db)->Acquire();
    ASSERT_TRUE(conn.ok());
    const db::Value params[] = {std::string("debian"), std::string("died"), int64_t{0}, int64_t{1}};
    ASSERT_TRUE((*conn)
                    ->Execute("INSERT INTO archive_locks(archive, owner, acquired_ms, expires_ms) "
                              "VALUES ($1, $2, $3, $4)",
                              params)
                    .ok());
  }
  {
    auto after_death = start();
    ASSERT_TRUE(after_death.ok()) << after_death.status().ToString();
    EXPECT_TRUE(after_death->lock->previous_holder_died());
  }
  EXPECT_TRUE(has("20240201T000000Z")) << "taking over a dead writer's lock looks at every run";
  auto runs = (*other)->ListRuns("debian");
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 4u);
}

// A writer that wrote its run record but could not record the run in the catalog leaves its lock
// to expire (WriterLock::Abandon), as if it had died there: the next writer then looks at every
// run of the store and recovers that run, even back-dated, where a released lock would have sent
// it to the runs after the catalog's latest only.
TEST_F(ImportFaultsTest, ACommittedRunTheCatalogRefusedIsRecoveredByTheNextWriter) {
  MakeTree(1);
  ASSERT_TRUE(Import("debian", "20240301T000000Z").ok());
  auto exec = [&](const std::string& sql) {
    auto conn = database_->Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    auto done = (*conn)->Execute(sql);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
  };
  // The catalog refuses new runs (a full disk, a lost database): the commit point is passed, the
  // catalog is not updated.
  exec(
      "CREATE TRIGGER refuse_runs BEFORE INSERT ON archive_runs "
      "BEGIN SELECT RAISE(ABORT, 'injected: the catalog refuses'); END");
  MakeTree(2);
  auto refused = Import("debian", "20240201T000000Z");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("is committed in the store but the catalog"),
            std::string::npos)
      << refused.status().ToString();
  exec("DROP TRIGGER refuse_runs");
  ASSERT_TRUE(store_->Head("runs/debian/20240201T000000Z.json").ok()) << "the run is committed";
  // The lock row is left behind, not released; once it expires the next writer takes it as a
  // dead holder's.
  size_t rows = 0;
  {
    auto conn = database_->Acquire();
    ASSERT_TRUE(conn.ok());
    const db::Value params[] = {std::string("debian")};
    ASSERT_TRUE((*conn)
                    ->Query("SELECT owner FROM archive_locks WHERE archive = $1", params,
                            [&](const db::Row&) {
                              ++rows;
                              return Status::Ok();
                            })
                    .ok());
  }
  ASSERT_EQ(rows, 1u) << "an abandoned lock stays until it expires";
  exec("UPDATE archive_locks SET expires_ms = 1 WHERE archive = 'debian'");
  auto next = importer::StartRun(
      *store_, *catalog_, {.archive = "debian", .started = std::chrono::system_clock::now()});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(next->lock->previous_holder_died());
  auto back_dated = catalog_->GetRun("debian", *RunId::Parse("20240201T000000Z"));
  ASSERT_TRUE(back_dated.ok());
  EXPECT_TRUE(back_dated->has_value()) << "the run the catalog refused is recovered";
}

}  // namespace
}  // namespace mv::testing
