// Garbage collection: what it deletes and keeps, its dry run, and its safety against a writer
// that reuses a collectable object (the trap of dedup: a blob found stored, not written again).
#include "retention/gc.h"

#include <future>
#include <thread>

#include "archive/writer_lock.h"
#include "importer/import_test_util.h"
#include "pkgindex/package_index.h"
#include "retention/run_deletion.h"
#include "store/fault_injecting_store.h"
#include "util/hash.h"

namespace mv::testing {
namespace {

class GcTest : public ImportFixture {
 protected:
  void SetUp() override {
    ImportFixture::SetUp();
    auto index = pkgindex::PackageIndex::Open(database_);
    ASSERT_TRUE(index.ok());
    index_ = std::move(*index);
  }
  void DeleteRun(const std::string& run) {
    auto deleted = retention::DeleteRuns(*store_, *catalog_, *index_, "debian",
                                         {RunId::Parse(run).value()}, {.who = "test"});
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  }
  Result<retention::GcSummary> Gc(std::vector<std::string>* keys = nullptr, bool dry_run = false,
                                  std::chrono::milliseconds grace = std::chrono::milliseconds(0)) {
    retention::GcOptions options{
        .grace = grace, .dry_run = dry_run, .wait = std::chrono::seconds(30)};
    if (keys != nullptr) {
      options.on_object = [keys](const std::string& key, uint64_t) { keys->push_back(key); };
    }
    return retention::CollectGarbage(*store_, *catalog_, options);
  }
  size_t Count(const std::string& prefix) {
    size_t n = 0;
    EXPECT_TRUE(store_
                    ->ListAll({.prefix = prefix},
                              [&](const store::ListPage& page) {
                                n += page.objects.size();
                                return true;
                              })
                    .ok());
    return n;
  }
  std::unique_ptr<pkgindex::PackageIndex> index_;
};

TEST_F(GcTest, DeletesWhatNoKeptRunNamesAndTheDryRunSaysExactlyThat) {
  Write("pool/a", "kept everywhere");
  Write("pool/b", "only in the first run");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  std::filesystem::remove(mirror_ + "/pool/b");
  Write("pool/c", "in the second and third runs");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  Write("pool/d", "only in the third run");
  ASSERT_TRUE(Import("debian", "20240103T000000Z").ok());
  // Nothing to collect while every run is kept.
  auto none = Gc();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->blobs.objects + none->nodes.objects, 0u);

  DeleteRun("20240101T000000Z");
  std::vector<std::string> would, did;
  auto dry = Gc(&would, /*dry_run=*/true);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->blobs.objects, 1u);  // "only in the first run"
  EXPECT_GE(dry->nodes.objects, 2u);  // its root and pool/
  const size_t blobs_before = Count("blobs/"), trees_before = Count("trees/");
  auto real = Gc(&did);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  std::sort(would.begin(), would.end());
  std::sort(did.begin(), did.end());
  EXPECT_EQ(would, did);
  EXPECT_EQ(Count("blobs/"), blobs_before - 1);
  EXPECT_EQ(Count("trees/"), trees_before - real->nodes.objects);
  // The catalog forgot the content: a new import writes it again rather than taking it as stored.
  EXPECT_FALSE(
      catalog_->FileBySha256(archive::ParseSha256(Sha256Hex("only in the first run"), "x").value())
          .value()
          .has_value());
  Fsck();
  EXPECT_EQ(ReadRunFile(catalog_->LatestRun("debian").value()->root, "pool/c"),
            "in the second and third runs");
  Write("pool/b", "only in the first run");
  ASSERT_TRUE(Import("debian", "20240104T000000Z").ok());
  EXPECT_EQ(ReadRunFile(catalog_->LatestRun("debian").value()->root, "pool/b"),
            "only in the first run");
  Fsck();
}

TEST_F(GcTest, UnreferencedObjectsYoungerThanTheGraceStay) {
  Write("pool/a", "one");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  Write("pool/a", "two");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  DeleteRun("20240101T000000Z");
  auto kept = Gc(nullptr, false, std::chrono::hours(1));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->blobs.objects, 0u);
  EXPECT_EQ(kept->young.objects, 1u + 2u);  // the blob, the root and pool/ of the deleted run
  auto collected = Gc();
  ASSERT_TRUE(collected.ok());
  EXPECT_EQ(collected->blobs.objects, 1u);
  EXPECT_EQ(collected->young.objects, 0u);
}

// The trap: an import finds a content in the catalog (a deleted run's, collectable), does not
// write it, and commits a run naming it. gc at grace 0 runs while that import is between its
// decision and its commit (the record's write held back 1.5 s): the fence makes gc wait for the
// import's writer lock, then mark the run it committed, so the content is not deleted. Without
// the fence and the marking under it, gc deletes the blob and the committed run lacks it.
TEST_F(GcTest, AContentAnImportReusesWhileGcRunsIsNotDeleted) {
  Write("pool/x", "reused content");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  std::filesystem::remove(mirror_ + "/pool/x");
  Write("pool/y", "other");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  DeleteRun("20240101T000000Z");  // "reused content" is garbage now
  Write("pool/x", "reused content");
  auto slow = std::make_shared<store::FaultInjectingStore>(store_);
  ASSERT_TRUE(slow->AddRule({.ops = store::StoreOp::kPut,
                             .key_prefix = "runs/",
                             .delay = std::chrono::milliseconds(1500),
                             .status = Status::Ok()})
                  .ok());
  auto import =
      std::async(std::launch::async, [&] { return Import("debian", "20240103T000000Z", slow); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto gc = Gc();
  auto imported = import.get();
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->later_runs, 1u);
  EXPECT_EQ(imported->record.new_files, 0u);  // it was taken as stored, not written again
  EXPECT_EQ(ReadRunFile(imported->record.root, "pool/x"), "reused content");
  Fsck();
}

// While the fence is up (gc deleting), a writer cannot take an archive's lock: it waits, then
// is told a gc holds it off.
TEST_F(GcTest, WritersAreHeldOffWhileGcDeletes) {
  Write("pool/a", "one");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  Write("pool/a", "two");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  DeleteRun("20240101T000000Z");
  auto slow = std::make_shared<store::FaultInjectingStore>(store_);
  ASSERT_TRUE(slow->AddRule({.ops = store::StoreOp::kDelete,
                             .delay = std::chrono::milliseconds(700),
                             .status = Status::Ok()})
                  .ok());
  auto gc = std::async(std::launch::async, [&] {
    return retention::CollectGarbage(*slow, *catalog_,
                                     {.grace = std::chrono::milliseconds(0), .who = "the test gc"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto lock = archive::WriterLock::Acquire(database_, "ubuntu", {.owner = "an importer"});
  ASSERT_FALSE(lock.ok());
  EXPECT_TRUE(archive::IsWriterLockBusy(lock.status())) << lock.status().ToString();
  EXPECT_NE(lock.status().message().find("the test gc"), std::string::npos);
  ASSERT_TRUE(gc.get().ok());
  auto after = archive::WriterLock::Acquire(database_, "ubuntu", {.owner = "an importer"});
  EXPECT_TRUE(after.ok()) << after.status().ToString();
  Fsck();
}

// Cut short between the catalog forgetting a chunk and the store deleting it (here every delete
// fails, as a SIGKILL at that moment would leave it): the objects are in the store, unknown to the
// catalog. fsck finds nothing wrong, an import that needs such a content stores it again (it is
// unknown), and the next gc deletes the rest.
TEST_F(GcTest, AGcCutShortAfterForgettingIsFinishedByTheNext) {
  Write("pool/a", "one");
  Write("pool/b", "gone for good");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  Write("pool/a", "two");
  std::filesystem::remove(mirror_ + "/pool/b");
  ASSERT_TRUE(Import("debian", "20240102T000000Z").ok());
  DeleteRun("20240101T000000Z");
  const size_t blobs_before = Count("blobs/");
  auto failing = std::make_shared<store::FaultInjectingStore>(store_);
  ASSERT_TRUE(failing
                  ->AddRule({.ops = store::StoreOp::kDelete,
                             .status = Unavailable("the test: the process dies here")})
                  .ok());
  auto cut = retention::CollectGarbage(*failing, *catalog_,
                                       {.grace = std::chrono::milliseconds(0), .who = "test"});
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("the process dies here"), std::string::npos)
      << cut.status().ToString();
  EXPECT_GT(failing->Faults(store::StoreOp::kDelete), 0u);
  EXPECT_EQ(Count("blobs/"), blobs_before);  // nothing deleted...
  auto one = archive::ParseSha256(Sha256Hex("one"), "x").value();
  auto gone = archive::ParseSha256(Sha256Hex("gone for good"), "x").value();
  // ...but the first chunk was forgotten (a chunk is a listing prefix's candidates: the first
  // one holds one of the two blobs; the chunks after a failed one are not started).
  EXPECT_GE(int{!catalog_->FileBySha256(one).value().has_value()} +
                int{!catalog_->FileBySha256(gone).value().has_value()},
            1);
  Fsck();
  // The content comes back in a new run: unknown to the catalog, so it is stored (again).
  Write("pool/a", "one");
  ASSERT_TRUE(Import("debian", "20240103T000000Z").ok());
  EXPECT_TRUE(catalog_->FileBySha256(one).value().has_value());
  auto next = Gc();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(store_->Head(archive::BlobKey(one)).ok());
  EXPECT_FALSE(store_->Head(archive::BlobKey(gone)).ok());
  Fsck();
  auto nothing = Gc();
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->blobs.objects, 0u);
}

}  // namespace
}  // namespace mv::testing
