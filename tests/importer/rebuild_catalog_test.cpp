// rebuild-catalog: the catalog recreated from the store alone answers every query as the
// original did.
#include "archive/recovery.h"
#include "archive/writer_lock.h"
#include "importer/import_test_util.h"
#include "util/encoding.h"

namespace mv::testing {
namespace {

// Every rebuildable table, rows sorted, as text.
std::vector<std::string> Dump(db::Database& database) {
  std::vector<std::string> out;
  auto conn = database.Acquire();
  EXPECT_TRUE(conn.ok());
  // File identities with their first place joined in: place ids are the order places were
  // first recorded in, which a rebuild need not repeat.
  const std::pair<std::string, std::string> tables[] = {
      // Names only: a rebuild moves each archive's run-change counter on (checked below).
      {"archive_archives", "SELECT name FROM archive_archives"},
      {"archive_runs", "SELECT * FROM archive_runs"},
      {"archive_files",
       "SELECT f.sha256, f.sha1, f.size, p.archive, p.run_id, p.folder, f.first_name FROM "
       "archive_files f JOIN archive_first_places p ON p.id = f.first_place"},
      {"archive_tree_nodes", "SELECT * FROM archive_tree_nodes"}};
  for (const auto& [table, query] : tables) {
    auto rows = (*conn)->QueryAll(query);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> lines;
    for (const auto& row : *rows) {
      std::string line = table + ":";
      for (const db::Value& v : row) {
        if (std::holds_alternative<std::nullptr_t>(v)) line += "|NULL";
        if (const auto* i = std::get_if<int64_t>(&v)) line += "|" + std::to_string(*i);
        if (const auto* t = std::get_if<std::string>(&v)) line += "|t:" + *t;
        if (const auto* b = std::get_if<db::Bytes>(&v)) line += "|b:" + HexEncode(b->data);
      }
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    out.insert(out.end(), lines.begin(), lines.end());
  }
  return out;
}

class RebuildCatalogTest : public ImportFixture {};

TEST_F(RebuildCatalogTest, RebuiltCatalogEqualsTheOriginal) {
  // Two archives sharing contents, a changed file, a removed one, a back-dated run, a wide
  // (sharded) folder and symlinks.
  for (int i = 0; i < 600; ++i)
    Write("pool/wide/p" + std::to_string(i), "pkg " + std::to_string(i % 450));
  Write("dists/Release", "one");
  std::filesystem::create_symlink("Release", mirror_ + "/dists/Link");
  ASSERT_TRUE(Import("debian", "20240201T000000Z").ok());
  ASSERT_TRUE(Import("ubuntu", "20240201T000000Z").ok());
  Write("dists/Release", "two");
  std::filesystem::remove(mirror_ + "/pool/wide/p7");
  ASSERT_TRUE(Import("debian", "20240301T000000Z").ok());
  Write("extra/only-back-then", "old");
  ASSERT_TRUE(Import("debian", "20240101T000000Z").ok());

  const std::vector<std::string> before = Dump(*database_);
  ASSERT_GT(before.size(), 450u);  // 450 distinct contents and more

  // Into a fresh catalog.
  auto fresh_db = db::OpenDatabase("sqlite://" + tmp_.path() + "/rebuilt.db");
  ASSERT_TRUE(fresh_db.ok());
  auto fresh = archive::Catalog::Open(*fresh_db);
  ASSERT_TRUE(fresh.ok());
  auto summary = archive::RebuildCatalog(*store_, **fresh, nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->archives, 2u);
  EXPECT_EQ(summary->runs, 4u);
  EXPECT_EQ(Dump(**fresh_db), before);

  // In place, over the original. Each archive's run-change counter moves on: a server that
  // holds a run list by counter must read the list again, never take the rebuilt one for it.
  const int64_t debian_changes = catalog_->RunChanges("debian").value();
  const int64_t ubuntu_changes = catalog_->RunChanges("ubuntu").value();
  auto in_place = archive::RebuildCatalog(*store_, *catalog_, nullptr);
  ASSERT_TRUE(in_place.ok()) << in_place.status().ToString();
  EXPECT_EQ(Dump(*database_), before);
  EXPECT_GT(catalog_->RunChanges("debian").value(), debian_changes);
  EXPECT_GT(catalog_->RunChanges("ubuntu").value(), ubuntu_changes);

  // The queries answer alike.
  for (auto* c : {catalog_.get(), fresh->get()}) {
    auto run = c->RunAtOrBefore("debian", RunId::Parse("20240215T000000Z").value());
    ASSERT_TRUE(run.ok() && run->has_value());
    EXPECT_EQ((*run)->run_id, RunId::Parse("20240201T000000Z").value());
    auto old = c->FileBySha256(archive::Sha256Of("old"));
    ASSERT_TRUE(old.ok() && old->has_value());
    EXPECT_EQ((*old)->first_path, "extra/only-back-then");
  }
}

// A rebuild while an archive is being written would lose that writer's run from the catalog:
// it is refused, naming the writer, and changes nothing.
TEST_F(RebuildCatalogTest, ARebuildWaitsForNoWriterAndIsRefusedWhileOneWorks) {
  Write("dists/Release", "one");
  ASSERT_TRUE(Import("debian", "20240201T000000Z").ok());
  const std::vector<std::string> before = Dump(*database_);
  {
    auto writer = archive::WriterLock::Acquire(database_, "debian", {.owner = "an import"});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    auto refused = archive::RebuildCatalog(*store_, *catalog_, nullptr);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(archive::IsWriterLockBusy(refused.status())) << refused.status().ToString();
    EXPECT_NE(refused.status().message().find("an import"), std::string::npos)
        << refused.status().ToString();
    EXPECT_EQ(Dump(*database_), before);
  }
  auto rebuilt = archive::RebuildCatalog(*store_, *catalog_, nullptr);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(Dump(*database_), before);
  // Its locks are released: the next import goes ahead.
  Write("dists/Release", "two");
  EXPECT_TRUE(Import("debian", "20240301T000000Z").ok());
}

}  // namespace
}  // namespace mv::testing
