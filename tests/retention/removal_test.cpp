// Withdrawing files: the record, the catalog, the blob deleted; imports never store a removed
// content again; a removal cut short is finished; and the fence against a writer that decided to
// write a content before it was removed.
#include "retention/removal.h"

#include <future>
#include <thread>

#include "archive/recovery.h"
#include "archive/writer_lock.h"
#include "importer/import_test_util.h"
#include "store/fault_injecting_store.h"
#include "util/hash.h"

namespace mv::testing {
namespace {

class RemovalTest : public ImportFixture {
 protected:
  archive::Sha256 Sha(const std::string& content) {
    return archive::ParseSha256(Sha256Hex(content), "x").value();
  }
  bool Stored(const std::string& content) {
    return store_->Head(archive::BlobKey(Sha(content))).ok();
  }
  Result<retention::RemoveSummary> Remove(const std::vector<std::string>& hashes,
                                          std::chrono::milliseconds wait = std::chrono::seconds(30),
                                          std::shared_ptr<store::ObjectStore> store = nullptr) {
    MV_ASSIGN_OR_RETURN(std::vector<archive::RemovedFile> files,
                        retention::ResolveHashes(*catalog_, hashes));
    return retention::RemoveFiles(store ? *store : *store_, *catalog_, std::move(files),
                                  {.who = "test", .reason = "court order 1", .wait = wait});
  }
};

TEST_F(RemovalTest, WithdrawsTheContentForGoodAndFsckExpectsItAbsent) {
  Write("pool/secret", "secret bytes");
  Write("pool/other", "other bytes");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  ASSERT_TRUE(Stored("secret bytes"));
  ContentHasher hasher;
  hasher.Update("secret bytes");
  const std::string sha1 = archive::ToHex(hasher.Finish().sha1);
  auto removed = Remove({sha1});  // by SHA-1
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  ASSERT_EQ(removed->removal.files.size(), 1u);
  EXPECT_EQ(removed->removal.files[0].sha256, Sha("secret bytes"));
  EXPECT_EQ(archive::ToHex(removed->removal.files[0].sha1), sha1);
  EXPECT_EQ(removed->blobs_deleted, 1u);
  EXPECT_FALSE(Stored("secret bytes"));
  EXPECT_TRUE(Stored("other bytes"));
  // The record in the store, and the catalog by either hash.
  auto stored = archive::ListStoredRemovals(*store_);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front(), removed->removal);
  EXPECT_EQ(catalog_->RemovalOf(Sha("secret bytes")).value(), removed->removal.id);
  EXPECT_EQ(catalog_->RemovalOfSha1(removed->removal.files[0].sha1).value(), removed->removal.id);
  EXPECT_FALSE(catalog_->RemovalOf(Sha("other bytes")).value().has_value());
  archive::FsckReport report = Fsck();
  EXPECT_EQ(report.removals, 1u);
  EXPECT_EQ(report.blobs_withdrawn, 1u);

  // Removing it again records nothing new.
  auto again = Remove({Sha256Hex("secret bytes")});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->removal.files.empty());
  EXPECT_EQ(again->already_removed.size(), 1u);
  EXPECT_EQ(archive::ListStoredRemovals(*store_)->size(), 1u);

  // A later import of a tree that has the content names it, and does not store it again.
  Write("pool/copy-of-secret", "secret bytes");
  auto later = Import("debian", "20240102T000000Z");
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->record.new_files, 0u);
  EXPECT_FALSE(Stored("secret bytes"));
  Fsck();
}

TEST_F(RemovalTest, UnknownHashesAndMissingReasonsAreRefusedWithNothingWritten) {
  Write("pool/a", "a");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  auto unknown = Remove({Sha256Hex("never imported")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find(Sha256Hex("never imported")), std::string::npos);
  EXPECT_FALSE(Remove({"not-a-hash"}).ok());
  auto files = retention::ResolveHashes(*catalog_, {Sha256Hex("a")});
  ASSERT_TRUE(files.ok());
  auto no_reason = retention::RemoveFiles(*store_, *catalog_, *files, {.who = "test"});
  EXPECT_EQ(no_reason.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(archive::ListStoredRemovals(*store_)->empty());
  EXPECT_TRUE(Stored("a"));
}

// Cut short after its commit point (the record written, nothing else): the next removal of
// anything, or FinishRemovals, records it in the catalog and deletes its blob.
TEST_F(RemovalTest, ARemovalCutShortIsFinished) {
  Write("pool/a", "a");
  Write("pool/b", "b");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  auto files = retention::ResolveHashes(*catalog_, {Sha256Hex("a")});
  ASSERT_TRUE(files.ok());
  archive::Removal cut{
      .id = archive::RemovalId(RunId::Parse("20240105T000000Z").value(), *files, "cut short"),
      .removed = "2024-01-05T00:00:00Z",
      .removed_by = "test",
      .reason = "cut short",
      .files = *files};
  ASSERT_TRUE(store_->PutBytes(archive::RemovalKey(cut.id), archive::EncodeRemoval(cut)).ok());
  archive::FsckReport before = archive::Fsck(*store_, catalog_.get(), {}, nullptr).value();
  EXPECT_TRUE(before.problems.empty());
  ASSERT_EQ(before.notes.size(), 1u);
  EXPECT_NE(before.notes[0].find("remove --finish"), std::string::npos) << before.notes[0];

  retention::RemoveSummary summary;
  ASSERT_TRUE(retention::FinishRemovals(*store_, *catalog_,
                                        {.who = "test", .wait = std::chrono::seconds(30)}, summary)
                  .ok());
  EXPECT_EQ(summary.blobs_deleted, 1u);
  EXPECT_EQ(summary.removals_finished, 1u);
  EXPECT_FALSE(Stored("a"));
  EXPECT_TRUE(Stored("b"));
  EXPECT_EQ(catalog_->RemovalOf(Sha("a")).value(), cut.id);
  EXPECT_EQ(Fsck().blobs_withdrawn, 1u);
}

// A removal marked finished (its copies elsewhere withdrawn too) is left alone by later removals:
// its record is not read from the store again and its blobs are not looked for, so a removal's
// work grows with the new removal, not with every removal ever made. One left unfinished is
// taken up again.
TEST_F(RemovalTest, FinishedRemovalsAreLeftAloneByLaterOnes) {
  Write("pool/a", "a");
  Write("pool/b", "b");
  Write("pool/c", "c");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  auto counting = std::make_shared<store::FaultInjectingStore>(store_);
  auto first = Remove({Sha256Hex("a")}, std::chrono::seconds(30), counting);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->unfinished.size(), 1u);
  EXPECT_EQ(first->unfinished[0].id, first->removal.id);
  // Not marked finished: the next removal takes it up again (its blob looked for again).
  counting->ResetCounters();
  auto second = Remove({Sha256Hex("b")}, std::chrono::seconds(30), counting);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->unfinished.size(), 2u);
  EXPECT_EQ(counting->Calls(store::StoreOp::kHead), 4u);  // a and b, before and under the fence
  EXPECT_EQ(counting->Calls(store::StoreOp::kGet), 0u);   // both records known to the catalog
  const std::string ids[] = {first->removal.id, second->removal.id};
  ASSERT_TRUE(catalog_->MarkRemovalsFinished(ids, 1).ok());
  EXPECT_TRUE(catalog_->ListUnfinishedRemovals()->empty());
  EXPECT_EQ(catalog_->ListRemovals()->size(), 2u);

  counting->ResetCounters();
  auto third = Remove({Sha256Hex("c")}, std::chrono::seconds(30), counting);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  ASSERT_EQ(third->unfinished.size(), 1u);
  EXPECT_EQ(third->unfinished[0].id, third->removal.id);
  EXPECT_EQ(counting->Calls(store::StoreOp::kHead), 2u);  // c only
  EXPECT_EQ(counting->Calls(store::StoreOp::kGet), 0u);
  EXPECT_FALSE(Stored("c"));
  retention::RemoveSummary finish;
  ASSERT_TRUE(retention::FinishRemovals(*store_, *catalog_,
                                        {.who = "test", .wait = std::chrono::seconds(30)}, finish)
                  .ok());
  ASSERT_EQ(finish.unfinished.size(), 1u);
  EXPECT_EQ(finish.blobs_deleted, 0u);
  Fsck();
}

// A writer that took its lock before the removal was recorded may have decided to write a
// removed content (unknown to the catalog when it asked) and write it after the blob was
// deleted. Here archive "ubuntu" imports "shared" with its blob writes held back 1.5 s; "debian"
// commits the same content meanwhile, and it is removed at once. The fence makes the removal
// wait for ubuntu's import, so the blob is gone at the end; without it, ubuntu's late write
// brings the blob back.
TEST_F(RemovalTest, AWriterAtWorkCannotBringARemovedBlobBack) {
  const std::string other_mirror = tmp_.path() + "/ubuntu-mirror";
  std::filesystem::create_directories(other_mirror + "/pool");
  std::ofstream(other_mirror + "/pool/shared", std::ios::binary) << "shared content";
  auto slow = std::make_shared<store::FaultInjectingStore>(store_);
  ASSERT_TRUE(slow->AddRule({.ops = store::StoreOp::kPut,
                             .key_prefix = "blobs/",
                             .delay = std::chrono::milliseconds(1500),
                             .status = Status::Ok()})
                  .ok());
  auto ubuntu = std::async(std::launch::async, [&] {
    importer::LocalImportOptions options{.archive = "ubuntu", .dir = other_mirror};
    options.racy_window = std::chrono::nanoseconds(0);
    return importer::ImportLocalTree(slow, *catalog_, options);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Write("pool/shared", "shared content");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  ASSERT_TRUE(Stored("shared content"));
  auto removed = Remove({Sha256Hex("shared content")});
  auto imported = ubuntu.get();
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_FALSE(Stored("shared content"));
  Fsck();
}

// With a writer at work past the wait, the removal is recorded (its commit point) but its blob
// is left, and the error names the writer; once the writer is gone, finishing deletes it.
TEST_F(RemovalTest, AWriterPastTheWaitLeavesTheBlobForLater) {
  Write("pool/a", "a");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  auto lock = archive::WriterLock::Acquire(database_, "ubuntu", {.owner = "a long import"});
  ASSERT_TRUE(lock.ok());
  auto removed = Remove({Sha256Hex("a")}, std::chrono::milliseconds(300));
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(removed.status().message().find("a long import"), std::string::npos);
  EXPECT_TRUE(Stored("a"));
  EXPECT_TRUE(catalog_->RemovalOf(Sha("a")).value().has_value());
  ASSERT_TRUE((*lock)->Release().ok());
  retention::RemoveSummary summary;
  ASSERT_TRUE(retention::FinishRemovals(*store_, *catalog_,
                                        {.who = "test", .wait = std::chrono::seconds(30)}, summary)
                  .ok());
  EXPECT_FALSE(Stored("a"));
  Fsck();
}

// rebuild-catalog restores the removals from the store.
TEST_F(RemovalTest, RebuildCatalogRestoresRemovals) {
  Write("pool/a", "a");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  auto removed = Remove({Sha256Hex("a")});
  ASSERT_TRUE(removed.ok());
  auto rebuilt = archive::RebuildCatalog(*store_, *catalog_, nullptr);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->removals, 1u);
  EXPECT_EQ(catalog_->RemovalOf(Sha("a")).value(), removed->removal.id);
  ASSERT_EQ(catalog_->ListRemovals().value().size(), 1u);
  EXPECT_EQ(catalog_->ListRemovals().value()[0], removed->removal);
  Fsck();
}

}  // namespace
}  // namespace mv::testing
