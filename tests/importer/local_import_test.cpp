#include "importer/local_import.h"

#include <sys/stat.h>

#include <atomic>
#include <functional>
#include <thread>

#include "archive/node_source.h"
#include "archive/run_view.h"
#include "archive/tree_walk.h"
#include "archive/writer_lock.h"
#include "importer/import_test_util.h"
#include "importer/local_walk.h"
#include "store/memory_store.h"

namespace mv::testing {
namespace {

using archive::EntryType;

std::vector<std::string> StoreKeys(store::ObjectStore& s, const std::string& prefix) {
  std::vector<std::string> keys;
  EXPECT_TRUE(s.ListAll({.prefix = prefix}, [&](const store::ListPage& page) {
                 for (const auto& o : page.objects) keys.push_back(o.key);
                 return true;
               }).ok());
  return keys;
}

class LocalImportTest : public ImportFixture {
 protected:
  std::string ReadRunFile(const archive::RunRow& run, const std::string& path) {
    return ImportFixture::ReadRunFile(run.root, path);
  }
};

TEST_F(LocalImportTest, ImportsFilesSymlinksAndEmptyFoldersAndReadsThemBack) {
  Write("dists/bookworm/Release", "Origin: Debian\n");
  Write("pool/main/a/apt/apt_2.6.1_amd64.deb", store::RandomBytes(100000, 1));
  Write("pool/main/a/apt/apt_2.6.1.dsc", "dsc");
  Write("tools/run.sh", "#!/bin/sh\n", /*exec=*/true);
  Write("same/one", "identical");
  Write("same/two", "identical");
  std::filesystem::create_directories(mirror_ + "/empty/deeper");
  std::filesystem::create_symlink("bookworm", mirror_ + "/dists/stable");
  std::filesystem::create_symlink("../dists/bookworm/Release", mirror_ + "/same/link");

  auto summary = Import("debian", "20240101T000000Z");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->record.files, 6u);
  EXPECT_EQ(summary->record.bytes, 15u + 100000 + 3 + 10 + 9 + 9);
  EXPECT_EQ(summary->record.new_files, 5u);  // two files share one content
  EXPECT_EQ(summary->symlinks, 2u);
  EXPECT_EQ(summary->files_read, 6u);
  EXPECT_EQ(StoreKeys(*store_, "blobs/").size(), 5u);
  EXPECT_EQ(*store_->GetBytes("format"), "mirrorvault-store 1\n");
  EXPECT_EQ(StoreKeys(*store_, "runs/"),
            (std::vector<std::string>{"runs/debian/20240101T000000Z.json"}));

  auto run = catalog_->LatestRun("debian");
  ASSERT_TRUE(run.ok() && run->has_value());
  const archive::RunRow& r = **run;
  EXPECT_EQ(ReadRunFile(r, "pool/main/a/apt/apt_2.6.1_amd64.deb"), store::RandomBytes(100000, 1));
  EXPECT_EQ(ReadRunFile(r, "dists/stable/Release"), "Origin: Debian\n");  // via the symlink
  EXPECT_EQ(ReadRunFile(r, "same/link"), "Origin: Debian\n");

  auto source = archive::MakeCachedNodeSource(store_, catalog_.get());
  auto top = archive::ListDirectory(*source, r.root);
  ASSERT_TRUE(top.ok());
  std::vector<std::string> names;
  for (const auto& e : *top) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"dists", "empty", "pool", "same", "tools"}));
  auto empty = archive::LookupPath(*source, r.root, "empty/deeper");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->type, EntryType::kDirectory);
  auto script = archive::LookupPath(*source, r.root, "tools/run.sh");
  ASSERT_TRUE(script.ok());
  EXPECT_TRUE(script->executable);
  auto link = archive::LookupPath(*source, r.root, "dists/stable");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->type, EntryType::kSymlink);
  EXPECT_EQ(link->target, "bookworm");

  // The record in the store is the one in the catalog.
  EXPECT_EQ(*store_->GetBytes("runs/debian/20240101T000000Z.json"), r.record);
  auto first = catalog_->FileBySha256(archive::Sha256Of("identical"));
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->first_path, "same/one");
  EXPECT_EQ((*first)->first_run, RunId::Parse("20240101T000000Z").value());
  Fsck();
}

TEST_F(LocalImportTest, UnchangedReimportReadsNothingAndSharesEveryTree) {
  for (int i = 0; i < 50; ++i) {
    Write("pool/main/p" + std::to_string(i % 7) + "/f" + std::to_string(i),
          "content " + std::to_string(i));
  }
  auto first = Import();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->files_read, 50u);
  const auto tree_keys = StoreKeys(*store_, "trees/");

  auto second = Import();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files_read, 0u);
  EXPECT_EQ(second->files_stat_cached, 50u);
  EXPECT_EQ(second->record.new_files, 0u);
  EXPECT_EQ(second->record.root, first->record.root);
  EXPECT_GT(second->record.run_id, first->record.run_id);
  EXPECT_EQ(second->record.parent, first->record.run_id);
  EXPECT_EQ(StoreKeys(*store_, "trees/"), tree_keys);
  EXPECT_EQ(second->nodes_written, 0u);  // every folder kept its node: nothing encoded

  // One changed file: only it is read, only its path of folders is new.
  Write("pool/main/p3/f3", "changed!");
  auto third = Import();
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->files_read, 1u);
  EXPECT_EQ(third->record.new_files, 1u);
  EXPECT_EQ(StoreKeys(*store_, "trees/").size(), tree_keys.size() + 4);  // p3, main, pool, root
  EXPECT_EQ(third->nodes_written, 4u);
  EXPECT_EQ(third->files_stat_cached, 49u);
  auto source = archive::MakeCachedNodeSource(store_, catalog_.get());
  std::vector<std::string> changes;
  ASSERT_TRUE(archive::DiffTrees(*source, second->record.root, third->record.root,
                                 [&](const archive::Change& c) {
                                   changes.push_back(std::to_string(static_cast<int>(c.kind)) +
                                                     c.path);
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(changes,
            (std::vector<std::string>{"2pool", "2pool/main", "2pool/main/p3", "2pool/main/p3/f3"}));
  Fsck();
}

// The tree an import builds from the last one's (folders kept whole, changed folders encoded
// from the walk and the previous node) is the tree a fresh import of the same folder builds,
// through every kind of change.
TEST_F(LocalImportTest, AnIncrementalTreeIsTheTreeAFreshImportBuilds) {
  for (int i = 0; i < 300; ++i) {  // one folder big enough to be sharded (> 256 entries)
    Write("pool/big/f" + std::to_string(i), "big " + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) {
    Write("pool/main/p" + std::to_string(i % 4) + "/g" + std::to_string(i), std::to_string(i));
  }
  Write("dists/sid/Release", "r1");
  std::filesystem::create_symlink("sid", mirror_ + "/dists/unstable");
  std::filesystem::create_directories(mirror_ + "/empty");
  const std::vector<std::pair<std::string, std::function<void()>>> changes = {
      {"nothing", [] {}},
      {"a file rewritten", [&] { Write("pool/main/p1/g5", "rewritten, longer"); }},
      {"a file in a sharded folder", [&] { Write("pool/big/f17", "changed in a shard"); }},
      {"a file added", [&] { Write("pool/main/p2/new", "new"); }},
      {"a file removed", [&] { std::filesystem::remove(mirror_ + "/pool/main/p3/g3"); }},
      {"a folder removed", [&] { std::filesystem::remove_all(mirror_ + "/pool/main/p0"); }},
      {"a folder added", [&] { Write("pool/main/q/deep/er/x", "x"); }},
      {"a symlink retargeted",
       [&] {
         std::filesystem::remove(mirror_ + "/dists/unstable");
         std::filesystem::create_symlink("Release", mirror_ + "/dists/unstable");
       }},
      {"an executable bit",
       [&] {
         std::filesystem::permissions(mirror_ + "/dists/sid/Release",
                                      std::filesystem::perms::owner_exec,
                                      std::filesystem::perm_options::add);
       }},
      {"a file turned folder",
       [&] {
         std::filesystem::remove(mirror_ + "/pool/main/p2/g2");
         Write("pool/main/p2/g2/inside", "inside");
       }},
      {"an empty folder filled", [&] { Write("empty/now", "full"); }},
      {"a file moved",
       [&] { std::filesystem::rename(mirror_ + "/pool/big/f1", mirror_ + "/pool/main/p1/f1"); }},
  };
  // Fresh imports go to a store and catalog of their own.
  auto fresh_store = store::MakeMemoryStore();
  auto fresh_db = db::OpenDatabase("sqlite://" + tmp_.path() + "/fresh.db");
  ASSERT_TRUE(fresh_db.ok()) << fresh_db.status().ToString();
  auto fresh_catalog = archive::Catalog::Open(*fresh_db);
  ASSERT_TRUE(fresh_catalog.ok()) << fresh_catalog.status().ToString();
  ASSERT_TRUE(Import().ok());
  for (const auto& [what, change] : changes) {
    change();
    auto incremental = Import();
    ASSERT_TRUE(incremental.ok()) << what << ": " << incremental.status().ToString();
    importer::LocalImportOptions fresh{.archive = "fresh", .dir = mirror_};
    fresh.use_stat_cache = false;
    fresh.racy_window = std::chrono::nanoseconds(0);
    auto from_scratch = importer::ImportLocalTree(fresh_store, **fresh_catalog, fresh);
    ASSERT_TRUE(from_scratch.ok()) << what << ": " << from_scratch.status().ToString();
    EXPECT_EQ(archive::ToHex(incremental->record.root), archive::ToHex(from_scratch->record.root))
        << what;
    EXPECT_EQ(incremental->record.files, from_scratch->record.files) << what;
    EXPECT_EQ(incremental->record.bytes, from_scratch->record.bytes) << what;
    EXPECT_LE(incremental->files_read, 2u) << what;  // only what changed is read
  }
  Fsck();
}

TEST_F(LocalImportTest, FilesWithinTheRacyWindowAreReadAgainNextTime) {
  Write("pool/a", "a");
  Write("pool/b", "b");
  importer::LocalImportOptions options{.archive = "debian", .dir = mirror_};
  options.racy_window = std::chrono::hours(1);  // every file was just written
  auto first = importer::ImportLocalTree(store_, *catalog_, options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = importer::ImportLocalTree(store_, *catalog_, options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files_read, 2u);
  EXPECT_EQ(second->files_stat_cached, 0u);
  options.racy_window = std::chrono::nanoseconds(0);
  auto third = importer::ImportLocalTree(store_, *catalog_, options);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->files_read, 2u);  // the cache held them as racy: read once more
  auto fourth = importer::ImportLocalTree(store_, *catalog_, options);
  ASSERT_TRUE(fourth.ok()) << fourth.status().ToString();
  EXPECT_EQ(fourth->files_read, 0u);
  EXPECT_EQ(fourth->nodes_written, 0u);
}

TEST_F(LocalImportTest, AStatCacheRowThatDisagreesWithItsTreeIsNotTrusted) {
  Write("pool/a", "aaaa");
  Write("pool/b", "bbbb");
  ASSERT_TRUE(Import().ok());
  // The row of pool/ now names the root's tree, where there is no file "a": when pool/ changes,
  // the import reads "a" rather than trust the row's stat fields for a hash it cannot find.
  {
    auto conn = database_->Acquire();
    ASSERT_TRUE(conn.ok());
    auto updated = (*conn)->Execute(
        "UPDATE archive_stat_folders SET node = (SELECT node FROM archive_stat_folders WHERE "
        "path = '') WHERE path = 'pool'");
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    ASSERT_EQ(*updated, 1);
  }
  Write("pool/b", "b changed");
  auto second = Import();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files_read, 2u);
  EXPECT_EQ(ImportFixture::ReadRunFile(second->record.root, "pool/a"), "aaaa");
  Fsck();
}

TEST_F(LocalImportTest, AStatCacheRowThatDoesNotDecodeIsSetAside) {
  Write("pool/a", "aaaa");
  Write("pool/b", "bbbb");
  ASSERT_TRUE(Import().ok());
  {
    auto conn = database_->Acquire();
    ASSERT_TRUE(conn.ok());
    auto updated = (*conn)->Execute(
        "UPDATE archive_stat_folders SET listing = X'01660561' WHERE path = 'pool'");
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    ASSERT_EQ(*updated, 1);
  }
  auto second = Import();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files_read, 2u);  // pool/ read whole, its row rewritten
  auto third = Import();
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->files_read, 0u);
  EXPECT_EQ(third->record.root, second->record.root);
}

TEST_F(LocalImportTest, RunIdsAreUniqueAndGivenOnesAreKept) {
  Write("a", "a");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());
  auto again = Import("debian", "20240101T000000Z");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("exists already"), std::string::npos);
  // A back-dated run is allowed; its parent is the run before it.
  auto back = Import("debian", "20230101T000000Z");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->record.parent.has_value());
  auto first = catalog_->FileBySha256(archive::Sha256Of("a"));
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->first_run, RunId::Parse("20230101T000000Z").value());
}

TEST_F(LocalImportTest, BadNamesAreRefusedBeforeAnythingIsWritten) {
  Write("good", "good");
  for (std::string bad : {std::string("new\nline"),
                          std::string("bad\xff"
                                      "utf8"),
                          std::string("cr\rhere")}) {
    std::ofstream(mirror_ + "/" + bad) << "x";
    auto result = Import();
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find(importer::DisplayPath(mirror_ + "/" + bad)),
              std::string::npos)
        << result.status().message();
    EXPECT_TRUE(StoreKeys(*store_, "").empty()) << "something was written";
    std::filesystem::remove(mirror_ + "/" + bad);
  }
  EXPECT_NE(importer::DisplayPath("a\nb\xff"), "a\nb\xff");
  EXPECT_EQ(importer::DisplayPath("a\nb\xff"), "a\\nb\\xff");
}

TEST_F(LocalImportTest, SpecialFilesAreRefused) {
  Write("good", "good");
  ASSERT_EQ(::mkfifo((mirror_ + "/pipe").c_str(), 0644), 0);
  auto result = Import();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("pipe is a fifo"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(StoreKeys(*store_, "").empty());
}

TEST_F(LocalImportTest, BadArchiveNamesAreRefused) {
  Write("good", "good");
  for (std::string name : {"a/b", "..", ".hidden", "", "x y"}) {
    auto result = Import(name);
    ASSERT_FALSE(result.ok()) << name;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_TRUE(StoreKeys(*store_, "").empty());
}

TEST_F(LocalImportTest, MissingFolderIsAClearError) {
  importer::LocalImportOptions options{.archive = "debian", .dir = tmp_.path() + "/nope"};
  auto result = importer::ImportLocalTree(store_, *catalog_, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("/nope"), std::string::npos);
}

TEST_F(LocalImportTest, AFileThatChangesWhileReadIsDetected) {
  const std::string big = mirror_ + "/growing.bin";
  Write("growing.bin", std::string(64 << 20, 'x'));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int fd = ::open(big.c_str(), O_WRONLY | O_APPEND);
    while (!stop.load()) {
      (void)!::write(fd, "y", 1);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ::close(fd);
  });
  auto result = Import();
  stop = true;
  writer.join();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("changed while it was being read"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(StoreKeys(*store_, "runs/").empty());
  auto runs = catalog_->ListRuns("debian");
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->empty());
}

TEST_F(LocalImportTest, ImportsOfOneArchiveNeverInterleave) {
  Write("a", "a");
  auto lock = archive::WriterLock::Acquire(database_, "debian", {.owner = "someone-else"});
  ASSERT_TRUE(lock.ok());
  auto blocked = Import("debian");
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.status().message().find("is being written by someone-else"), std::string::npos)
      << blocked.status().message();
  EXPECT_TRUE(Import("ubuntu").ok());  // another archive goes ahead
  ASSERT_TRUE((*lock)->Release().ok());
  EXPECT_TRUE(Import("debian").ok());
}

TEST_F(LocalImportTest, ConcurrentImportsOfTwoArchivesBothCommit) {
  for (int i = 0; i < 200; ++i)
    Write("d" + std::to_string(i % 10) + "/f" + std::to_string(i), std::to_string(i));
  Result<importer::ImportSummary> a = Internal("not run"), b = Internal("not run");
  std::thread ta([&] { a = Import("alpha"); });
  std::thread tb([&] { b = Import("beta"); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->record.root, b->record.root);
  // Both may upload a content neither saw committed; each content is uploaded by at least one.
  EXPECT_GE(a->record.new_files + b->record.new_files, 200u);
  EXPECT_LE(a->record.new_files, 200u);
  EXPECT_LE(b->record.new_files, 200u);
  Fsck();
}

}  // namespace
}  // namespace mv::testing
