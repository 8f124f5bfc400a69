// Deleting runs: what the store, the catalog and the package index hold afterwards, and a
// deletion cut short at each step.
#include "retention/run_deletion.h"

#include <random>

#include "archive/recovery.h"
#include "archive/tombstone.h"
#include "archive/writer_lock.h"
#include "pkgindex/suite_fixture.h"
#include "retention/prune.h"
#include "store/fault_injecting_store.h"

namespace mv::testing {
namespace {

using retention::DeleteOptions;
using retention::DeleteRuns;

class RunDeletionTest : public SuiteFixture {
 protected:
  // Rows of a query, as sorted text.
  std::vector<std::string> Dump(const std::string& query) {
    auto conn = database_->Acquire();
    EXPECT_TRUE(conn.ok());
    auto rows = (*conn)->QueryAll(query);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (const auto& row : *rows) {
      std::string line;
      for (const db::Value& v : row) {
        if (std::holds_alternative<std::nullptr_t>(v)) line += "|NULL";
        if (const auto* i = std::get_if<int64_t>(&v)) line += "|" + std::to_string(*i);
        if (const auto* t = std::get_if<std::string>(&v)) line += "|" + *t;
      }
      out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> PackageState() {
    std::vector<std::string> out = Dump("SELECT * FROM pkg_presence");
    for (std::string& s : Dump("SELECT * FROM pkg_indexed_runs")) out.push_back("indexed" + s);
    // The packages and their files: those of the kept runs only (ids are left out: a rebuild
    // numbers them anew).
    for (const char* query :
         {"SELECT 'binary', name, version, source, source_version FROM pkg_binaries",
          "SELECT 'binary file', b.name, b.version, f.architecture, f.path FROM pkg_binary_files f "
          "JOIN pkg_binaries b ON b.id = f.binary_id",
          "SELECT 'source', name, version FROM pkg_sources",
          "SELECT 'source file', s.name, s.version, f.path FROM pkg_source_files f JOIN "
          "pkg_sources s ON s.id = f.source_id"}) {
      for (std::string& s : Dump(query)) out.push_back(s);
    }
    return out;
  }
  std::vector<std::string> Runs() { return Dump("SELECT run_id FROM archive_runs"); }

  Result<std::vector<retention::DeletedRun>> Delete(std::vector<std::string> runs,
                                                    store::ObjectStore* store = nullptr) {
    std::vector<RunId> ids;
    for (const std::string& r : runs) ids.push_back(RunId::Parse(r).value());
    return DeleteRuns(store ? *store : *store_, *catalog_, *index_, "debian", ids,
                      DeleteOptions{.who = "test"});
  }

  std::string RunName(int i, int year = 2024) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT000000Z", year, 1 + i / 28, 1 + i % 28);
    return buf;
  }
};

// The package index after deletions equals an index of the kept runs alone (rebuilt from them),
// over random histories: stretches of one run, stretches that begin or end at a deleted run,
// two stretches that a deleted run separated, the first and the latest run deleted.
TEST_F(RunDeletionTest, PresenceAfterDeletionsIsThatOfTheKeptRunsAlone) {
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const int year = 2030 + 2 * round;  // each round's runs after the one before's
    std::mt19937 rng(round + 11);
    const int runs = 9;
    std::vector<std::string> kept;
    for (int i = 0; i < runs; ++i) {
      std::vector<Pkg> binaries, sources;
      for (int p = 0; p < 7; ++p) {
        if (rng() % 3 == 0) continue;  // absent from this run
        const std::string name = "p" + std::to_string(p);
        const std::string version = std::to_string(1 + rng() % 2);
        binaries.push_back({name, version, ""});
        if (p % 2 == 0) sources.push_back({name, version, ""});
      }
      WriteSuite(binaries, sources);
      auto imported = ImportIndexed(RunName(i, year));
      ASSERT_TRUE(imported.ok()) << imported.status().ToString();
      kept.push_back(RunName(i, year));
    }
    auto nodes = archive::MakeCachedNodeSource(store_, catalog_.get());
    while (kept.size() > 1) {
      // One run or two at a time, anywhere: the first, the latest, the middle.
      std::vector<std::string> doomed;
      const size_t count = std::min<size_t>(1 + rng() % 2, kept.size() - 1);
      for (size_t k = 0; k < count; ++k) {
        const size_t at = rng() % kept.size();
        doomed.push_back(kept[at]);
        kept.erase(kept.begin() + static_cast<ptrdiff_t>(at));
      }
      auto deleted = Delete(doomed);
      ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
      ASSERT_EQ(deleted->size(), doomed.size());
      const std::vector<std::string> after = PackageState();
      auto rebuilt = index_->Rebuild(*store_, *catalog_, *nodes);
      ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
      ASSERT_EQ(after, PackageState()) << "after deleting " << doomed.front();
      for (const std::string& k : doomed) {
        ASSERT_TRUE(catalog_->GetRun("debian", RunId::Parse(k).value()).value() == std::nullopt);
      }
      for (const std::string& k : kept) {
        ASSERT_TRUE(catalog_->GetRun("debian", RunId::Parse(k).value()).value().has_value());
      }
    }
    // The next run is indexed against the kept latest one, as if nothing had been deleted.
    WriteSuite({{"p9", "1", ""}}, {});
    ASSERT_TRUE(ImportIndexed(RunName(0, year + 1)).ok());
    const std::vector<std::string> after = PackageState();
    ASSERT_TRUE(index_->Rebuild(*store_, *catalog_, *nodes).ok());
    EXPECT_EQ(after, PackageState());
  }
}

TEST_F(RunDeletionTest, ADeletedRunIsGoneForEveryReaderAndItsIdIsNotTakenAgain) {
  WriteSuite({{"hello", "1"}}, {});
  ASSERT_TRUE(ImportIndexed("20240101T000000Z").ok());
  WriteSuite({{"hello", "2"}}, {});
  ASSERT_TRUE(ImportIndexed("20240102T000000Z").ok());
  ASSERT_TRUE(ImportIndexed("20240103T000000Z").ok());
  auto deleted = Delete({"20240102T000000Z"});
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240101T000000Z", "|20240103T000000Z"}));
  // The store: a tombstone holding the record, no record.
  auto tombstone = store_->GetBytes("tombstones/debian/20240102T000000Z.json");
  ASSERT_TRUE(tombstone.ok());
  auto parsed = archive::ParseTombstone(*tombstone, "t");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->record.run_id.ToString(), "20240102T000000Z");
  EXPECT_EQ(parsed->deleted_by, "test");
  EXPECT_TRUE(store_->Head("runs/debian/20240102T000000Z.json").status().IsNotFound());
  // The moment of the deleted run resolves to the kept run before it.
  auto at = catalog_->RunAtOrBefore("debian", RunId::Parse("20240102T120000Z").value());
  ASSERT_TRUE(at.ok() && at->has_value());
  EXPECT_EQ((*at)->run_id.ToString(), "20240101T000000Z");
  // A new run may not take the deleted run's id.
  auto again = Import("debian", "20240102T000000Z");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
  EXPECT_NE(again.status().message().find("was deleted"), std::string::npos);
  // Deleting it again does nothing; a run that never was is NotFound, and nothing is deleted.
  auto twice = Delete({"20240102T000000Z"});
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE((*twice)[0].already_deleted);
  auto missing = Delete({"20240103T000000Z", "20240104T000000Z"});
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240101T000000Z", "|20240103T000000Z"}));
  Fsck();
}

// Cut short after the catalog forgot the run and before its record went (the record's deletion
// fails): the run stays deleted for every reader (recovery does not add it back: it would without
// the tombstone), fsck notes it, and deleting it again finishes.
TEST_F(RunDeletionTest, ADeletionCutShortBeforeTheRecordWentStaysDeletedAndIsFinished) {
  Write("a", "1");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  Write("b", "2");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  auto faulty = std::make_shared<store::FaultInjectingStore>(store_);
  ASSERT_TRUE(faulty->AddRule({.ops = store::StoreOp::kDelete, .key_prefix = "runs/"}).ok());
  auto cut = Delete({"20240101T000000Z"}, faulty.get());
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("deleting it again"), std::string::npos)
      << cut.status().ToString();
  ASSERT_TRUE(store_->Head("runs/debian/20240101T000000Z.json").ok());
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240102T000000Z"}));
  auto recovered = archive::RecoverRuns(*store_, *catalog_, "debian");
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->empty());
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240102T000000Z"}));
  archive::FsckReport report = Fsck();
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("debian@20240101T000000Z is deleted"), std::string::npos);
  auto finished = retention::FinishDeletions(*store_, *catalog_, *index_, "debian",
                                             DeleteOptions{.who = "test"});
  ASSERT_TRUE(finished.ok()) << finished.status().ToString();
  ASSERT_EQ(finished->size(), 1u);
  EXPECT_TRUE((*finished)[0].finished_earlier_deletion);
  EXPECT_TRUE(store_->Head("runs/debian/20240101T000000Z.json").status().IsNotFound());
  EXPECT_TRUE(Fsck().notes.empty());
}

// Cut short right after the tombstone (a crash before the catalog changed): the catalog still
// lists the run until the deletion is finished, and nothing in the store brings it back.
TEST_F(RunDeletionTest, ADeletionCutShortAfterTheTombstoneIsFinishedByTheNextDeletion) {
  Write("a", "1");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  Write("b", "2");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  auto record = store_->GetBytes("runs/debian/20240101T000000Z.json");
  ASSERT_TRUE(record.ok());
  archive::RunTombstone t{.record = archive::ParseRunRecord(*record, "r").value(),
                          .deleted = "2024-06-01T00:00:00Z",
                          .deleted_by = "crashed",
                          .reason = ""};
  ASSERT_TRUE(
      store_->PutBytes("tombstones/debian/20240101T000000Z.json", archive::EncodeTombstone(t), {})
          .ok());
  auto listed = archive::ListStoredRunKeys(*store_, "debian");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].run_id.ToString(), "20240102T000000Z");
  // A prune that keeps everything still finishes what was cut short.
  auto pruned = retention::PruneRuns(*store_, *catalog_, *index_, "debian",
                                     retention::RetentionPolicy{}, DeleteOptions{.who = "test"});
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  ASSERT_EQ(pruned->finished.size(), 1u);
  EXPECT_TRUE(pruned->deleted.empty());
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240102T000000Z"}));
  EXPECT_TRUE(store_->Head("runs/debian/20240101T000000Z.json").status().IsNotFound());
  // The tombstone written by the crashed deletion is kept as it was.
  EXPECT_EQ(store_->GetBytes("tombstones/debian/20240101T000000Z.json").value(),
            archive::EncodeTombstone(t));
}

TEST_F(RunDeletionTest, ADeletionWaitsForTheArchivesWriterAndADryRunChangesNothing) {
  Write("a", "1");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  auto held = archive::WriterLock::Acquire(database_, "debian", {.owner = "an importer"});
  ASSERT_TRUE(held.ok());
  auto busy = Delete({"20240101T000000Z"});
  ASSERT_FALSE(busy.ok());
  EXPECT_TRUE(archive::IsWriterLockBusy(busy.status())) << busy.status().ToString();
  EXPECT_NE(busy.status().message().find("an importer"), std::string::npos);
  held->reset();
  auto dry =
      DeleteRuns(*store_, *catalog_, *index_, "debian", {RunId::Parse("20240101T000000Z").value()},
                 DeleteOptions{.who = "test", .dry_run = true});
  ASSERT_TRUE(dry.ok());
  ASSERT_EQ(dry->size(), 1u);
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240101T000000Z", "|20240102T000000Z"}));
  EXPECT_TRUE(store_->Head("tombstones/debian/20240101T000000Z.json").status().IsNotFound());
}

// A prune deletes what its policy does not keep, and reports every run.
TEST_F(RunDeletionTest, PruneDeletesWhatThePolicyDoesNotKeep) {
  Write("a", "1");
  for (const char* r :
       {"20240101T000000Z", "20240101T060000Z", "20240102T000000Z", "20240103T000000Z"}) {
    ASSERT_TRUE(Import("debian", r).ok());
  }
  auto pruned = retention::PruneRuns(*store_, *catalog_, *index_, "debian",
                                     retention::RetentionPolicy{.keep_daily = 2},
                                     DeleteOptions{.who = "test"});
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->decisions.size(), 4u);
  ASSERT_EQ(pruned->deleted.size(), 2u);
  EXPECT_EQ(Runs(), (std::vector<std::string>{"|20240102T000000Z", "|20240103T000000Z"}));
  Fsck();
}

}  // namespace
}  // namespace mv::testing
