#include "archive/catalog_conformance.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "archive/catalog.h"
#include "archive/catalog_schema.h"
#include "archive/tree.h"
#include "archive/writer_lock.h"
#include "db/migrations.h"
#include "util/clock.h"

namespace mv::testing {
namespace {

using archive::Catalog;
using archive::FileIdentity;
using archive::RunRecord;
using archive::RunRows;
using archive::Sha1;
using archive::Sha256;

#define ASSERT_OK(expr)                      \
  do {                                       \
    const ::mv::Status st_ = (expr);         \
    ASSERT_TRUE(st_.ok()) << st_.ToString(); \
  } while (0)

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

Sha256 H(int n) {
  Sha256 h{};
  h[0] = static_cast<uint8_t>(n);
  h[31] = 0xaa;
  return h;
}
Sha1 H1(int n) {
  Sha1 h{};
  h[0] = static_cast<uint8_t>(n);
  h[19] = 0x55;
  return h;
}
RunId R(std::string_view s) { return RunId::Parse(s).value(); }

RunRows Rows(const std::string& archive, std::string_view run, std::optional<RunId> parent = {}) {
  RunRows rows;
  RunRecord& r = rows.record;
  r.archive = archive;
  r.run_id = R(run);
  r.root = H(200);
  r.parent = parent;
  r.files = 3;
  r.bytes = 300;
  r.new_files = 2;
  r.new_bytes = 200;
  r.source = {.kind = "local", .location = "/srv/mirror"};
  r.writer = "test";
  r.started = "2026-11-22T10:00:00Z";
  r.committed = "2026-11-22T10:00:05Z";
  rows.record_json = "{\"json\":\"" + archive + std::string(run) + "\"}";
  return rows;
}

// The factory's database; an exception (a failed test, not a crash) when it could not make one.
std::shared_ptr<db::Database> Make(const CatalogFactory& f) {
  std::shared_ptr<db::Database> db = f.make();
  if (db == nullptr) throw std::runtime_error("no database to test (see the failures above)");
  return db;
}

std::unique_ptr<Catalog> Open(const CatalogFactory& f) { return Must(Catalog::Open(Make(f))); }

TEST_P(CatalogConformance, EmptyCatalogAnswersEmpty) {
  auto catalog = Open(GetParam());
  EXPECT_TRUE(Must(catalog->ListArchives()).empty());
  EXPECT_TRUE(Must(catalog->ListRuns("debian")).empty());
  EXPECT_FALSE(Must(catalog->LatestRun("debian")).has_value());
  EXPECT_FALSE(Must(catalog->FileBySha256(H(1))).has_value());
  EXPECT_EQ(Must(catalog->CountFiles()), 0u);
}

TEST_P(CatalogConformance, OpenTwiceMigratesOnce) {
  auto db = Make(GetParam());
  auto a = Must(Catalog::Open(db));
  auto b = Must(Catalog::Open(db));
  ASSERT_OK(a->RecordRun(Rows("debian", "20240101T000000Z")));
  EXPECT_EQ(Must(b->ListRuns("debian")).size(), 1u);
}

TEST_P(CatalogConformance, RunsRoundTripAndResolveByTime) {
  auto catalog = Open(GetParam());
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240101T000000Z")));
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240301T120000Z", R("20240101T000000Z"))));
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240201T000000Z", R("20240101T000000Z"))));
  ASSERT_OK(catalog->RecordRun(Rows("debian-security", "20240115T000000Z")));

  EXPECT_EQ(Must(catalog->ListArchives()), (std::vector<std::string>{"debian", "debian-security"}));
  auto runs = Must(catalog->ListRuns("debian"));
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].run_id, R("20240101T000000Z"));
  EXPECT_EQ(runs[1].run_id, R("20240201T000000Z"));
  EXPECT_EQ(runs[2].run_id, R("20240301T120000Z"));
  EXPECT_EQ(runs[2].parent, R("20240101T000000Z"));
  EXPECT_FALSE(runs[0].parent.has_value());
  EXPECT_EQ(runs[0].root, H(200));
  EXPECT_EQ(runs[0].files, 3u);
  EXPECT_EQ(runs[0].bytes, 300u);
  EXPECT_EQ(runs[0].new_files, 2u);
  EXPECT_EQ(runs[0].new_bytes, 200u);
  EXPECT_EQ(runs[0].record, "{\"json\":\"debian20240101T000000Z\"}");

  EXPECT_EQ(Must(catalog->RunAtOrBefore("debian", R("20240215T000000Z")))->run_id,
            R("20240201T000000Z"));
  EXPECT_EQ(Must(catalog->RunAtOrBefore("debian", R("20240201T000000Z")))->run_id,
            R("20240201T000000Z"));
  EXPECT_FALSE(Must(catalog->RunAtOrBefore("debian", R("20231231T235959Z"))).has_value());
  EXPECT_EQ(Must(catalog->RunBefore("debian", R("20240201T000000Z")))->run_id,
            R("20240101T000000Z"));
  EXPECT_EQ(Must(catalog->LatestRun("debian"))->run_id, R("20240301T120000Z"));
  EXPECT_EQ(Must(catalog->EarliestRun("debian"))->run_id, R("20240101T000000Z"));
  EXPECT_EQ(Must(catalog->GetRun("debian-security", R("20240115T000000Z")))->archive,
            "debian-security");
  EXPECT_FALSE(Must(catalog->GetRun("debian", R("20240115T000000Z"))).has_value());
}

TEST_P(CatalogConformance, RunsAfterARunAndTheChangeCounter) {
  auto catalog = Open(GetParam());
  EXPECT_EQ(Must(catalog->RunChanges("debian")), 0);
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240101T000000Z")));
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240301T000000Z")));
  ASSERT_OK(catalog->RecordRun(Rows("debian-security", "20240115T000000Z")));
  EXPECT_EQ(Must(catalog->RunChanges("debian")), 2);
  EXPECT_EQ(Must(catalog->RunChanges("debian-security")), 1);
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240301T000000Z")));  // recorded already
  EXPECT_EQ(Must(catalog->RunChanges("debian")), 2);
  ASSERT_OK(catalog->RecordRun(Rows("debian", "20240201T000000Z")));  // between the two
  EXPECT_EQ(Must(catalog->RunChanges("debian")), 3);

  auto all = Must(catalog->ListRunsAfter("debian", std::nullopt));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].run_id, R("20240201T000000Z"));
  EXPECT_EQ(all[0].root, H(200));
  EXPECT_EQ(all[0].files, 3u);
  EXPECT_TRUE(all[0].record.empty());  // summaries: the record is not read
  auto after = Must(catalog->ListRunsAfter("debian", R("20240201T000000Z")));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].run_id, R("20240301T000000Z"));
  EXPECT_TRUE(Must(catalog->ListRunsAfter("debian", R("20240301T000000Z"))).empty());
}

TEST_P(CatalogConformance, MigratingToTheChangeCounterCountsEachArchivesRuns) {
  auto db = Make(GetParam());
  ASSERT_OK(db::Migrate(*db, "archive", archive::ArchiveMigrations().first(3)));
  {
    auto conn = Must(db->Acquire());
    for (const char* archive : {"debian", "ubuntu", "empty"}) {
      const db::Value params[] = {std::string(archive)};
      ASSERT_OK(conn->Execute("INSERT INTO archive_archives(name) VALUES ($1)", params).status());
    }
    const std::pair<std::string, std::string> runs[] = {{"debian", "20240101T000000Z"},
                                                        {"debian", "20240102T000000Z"},
                                                        {"ubuntu", "20240101T000000Z"}};
    for (const auto& [archive, run] : runs) {
      const db::Value params[] = {archive, run, db::Bytes{std::string(archive::AsBytes(H(1)))}};
      ASSERT_OK(conn->Execute("INSERT INTO archive_runs(archive, run_id, root, parent, files, "
                              "bytes, new_files, new_bytes, record) "
                              "VALUES ($1, $2, $3, NULL, 0, 0, 0, 0, '{}')",
                              params)
                    .status());
    }
  }
  auto catalog = Must(Catalog::Open(db));
  EXPECT_EQ(Must(catalog->RunChanges("debian")), 2);
  EXPECT_EQ(Must(catalog->RunChanges("ubuntu")), 1);
  EXPECT_EQ(Must(catalog->RunChanges("empty")), 0);
  ASSERT_OK(catalog->RecordRun(Rows("ubuntu", "20240103T000000Z")));
  EXPECT_EQ(Must(catalog->RunChanges("ubuntu")), 2);
}

TEST_P(CatalogConformance, WhatFsckVerifiedIsRememberedByDepth) {
  auto catalog = Open(GetParam());
  const Sha256 ids[] = {H(1), H(2), H(3)};
  EXPECT_EQ(Must(catalog->VerifiedDirs(ids, false)), (std::vector<bool>{false, false, false}));
  const std::pair<std::string, RunId> r1[] = {{"debian", R("20240101T000000Z")}};
  const Sha256 shallow[] = {H(1), H(2)};
  ASSERT_OK(catalog->RecordVerified(r1, shallow, /*deep=*/false));
  EXPECT_EQ(Must(catalog->VerifiedDirs(ids, false)), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(Must(catalog->VerifiedDirs(ids, true)), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(Must(catalog->VerifiedRuns(false)).size(), 1u);
  EXPECT_TRUE(Must(catalog->VerifiedRuns(true)).empty());
  // A deep pass upgrades; a shallow one after it does not downgrade.
  const Sha256 deep[] = {H(2), H(3)};
  ASSERT_OK(catalog->RecordVerified(r1, deep, /*deep=*/true));
  ASSERT_OK(catalog->RecordVerified(r1, deep, /*deep=*/false));
  EXPECT_EQ(Must(catalog->VerifiedDirs(ids, true)), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(Must(catalog->VerifiedDirs(ids, false)), (std::vector<bool>{true, true, true}));
  auto deep_runs = Must(catalog->VerifiedRuns(true));
  ASSERT_EQ(deep_runs.size(), 1u);
  EXPECT_EQ(deep_runs[0].first, "debian");
  EXPECT_EQ(deep_runs[0].second, R("20240101T000000Z"));
  ASSERT_OK(catalog->ForgetVerified());
  EXPECT_EQ(Must(catalog->VerifiedDirs(ids, false)), (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(Must(catalog->VerifiedRuns(false)).empty());
}

TEST_P(CatalogConformance, RecordingARunTwiceKeepsTheFirst) {
  auto catalog = Open(GetParam());
  RunRows rows = Rows("debian", "20240101T000000Z");
  ASSERT_OK(catalog->RecordRun(rows));
  rows.record.files = 99;
  ASSERT_OK(catalog->RecordRun(rows));
  EXPECT_EQ(Must(catalog->LatestRun("debian"))->files, 3u);
}

TEST_P(CatalogConformance, FirstSeenIsTheEarliestRunThenArchive) {
  auto catalog = Open(GetParam());
  auto file = [](int n, std::string archive, std::string_view run, std::string path) {
    return FileIdentity{.sha256 = H(n),
                        .sha1 = H1(n),
                        .size = 10u + n,
                        .first_archive = std::move(archive),
                        .first_run = R(run),
                        .first_path = std::move(path)};
  };
  RunRows b = Rows("debian", "20240201T000000Z");
  b.files = {file(1, "debian", "20240201T000000Z", "pool/b"),
             file(2, "debian", "20240201T000000Z", "pool/c")};
  ASSERT_OK(catalog->RecordRun(b));
  // A back-dated run moves file 1's first sighting earlier; a later one changes nothing.
  RunRows a = Rows("debian", "20240101T000000Z");
  a.files = {file(1, "debian", "20240101T000000Z", "pool/a")};
  ASSERT_OK(catalog->RecordRun(a));
  RunRows c = Rows("other", "20240301T000000Z");
  c.files = {file(2, "other", "20240301T000000Z", "x")};
  ASSERT_OK(catalog->RecordRun(c));
  // Same run id, smaller archive name wins.
  RunRows d = Rows("aaa", "20240201T000000Z");
  d.files = {file(2, "aaa", "20240201T000000Z", "y")};
  ASSERT_OK(catalog->RecordRun(d));

  auto f1 = Must(catalog->FileBySha256(H(1)));
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->first_run, R("20240101T000000Z"));
  EXPECT_EQ(f1->first_path, "pool/a");
  EXPECT_EQ(f1->sha1, H1(1));
  EXPECT_EQ(f1->size, 11u);
  auto f2 = Must(catalog->FileBySha256(H(2)));
  ASSERT_TRUE(f2);
  EXPECT_EQ(f2->first_archive, "aaa");
  EXPECT_EQ(f2->first_path, "y");
  auto by_sha1 = Must(catalog->FilesBySha1(H1(2)));
  ASSERT_EQ(by_sha1.size(), 1u);
  EXPECT_EQ(by_sha1[0].sha256, H(2));
  EXPECT_EQ(Must(catalog->CountFiles()), 2u);
}

// A catalog at version 2 (first-seen places as text in every row) keeps every identity through
// the migration that stores places by reference, paths with and without folders alike.
TEST_P(CatalogConformance, MigratingFirstPlacesKeepsEveryIdentity) {
  auto db = Make(GetParam());
  ASSERT_OK(db::Migrate(*db, "archive", archive::ArchiveMigrations().first(2)));
  {
    auto conn = Must(db->Acquire());
    const std::tuple<int, std::string, std::string, std::string> old[] = {
        {1, "debian", "20240101T000000Z", "pool/main/h/hello/hello_1.0.dsc"},
        {2, "debian", "20240101T000000Z", "pool/main/h/hello/hello_1.0.tar.xz"},
        {3, "debian", "20240101T000000Z", "README"},
        {4, "debian-security", "20240102T000000Z", "dists/x/Release"},
        {5, "debian", "20240103T000000Z", "pool/main/h/hello/hello_2.0.dsc"}};
    for (const auto& [n, archive, run, path] : old) {
      const db::Value params[] = {db::Bytes{std::string(archive::AsBytes(H(n)))},
                                  db::Bytes{std::string(archive::AsBytes(H1(n)))},
                                  int64_t{100 + n},
                                  archive,
                                  run,
                                  path};
      ASSERT_OK(conn->Execute("INSERT INTO archive_files(sha256, sha1, size, first_archive, "
                              "first_run, first_path) VALUES ($1, $2, $3, $4, $5, $6)",
                              params)
                    .status());
    }
  }
  auto catalog = Must(Catalog::Open(db));
  EXPECT_EQ(Must(catalog->CountFiles()), 5u);
  auto f1 = Must(catalog->FileBySha256(H(1)));
  ASSERT_TRUE(f1);
  EXPECT_EQ(*f1, (FileIdentity{.sha256 = H(1),
                               .sha1 = H1(1),
                               .size = 101,
                               .first_archive = "debian",
                               .first_run = R("20240101T000000Z"),
                               .first_path = "pool/main/h/hello/hello_1.0.dsc"}));
  auto f3 = Must(catalog->FileBySha256(H(3)));
  ASSERT_TRUE(f3);
  EXPECT_EQ(f3->first_path, "README");
  auto f4 = Must(catalog->FilesBySha1(H1(4)));
  ASSERT_EQ(f4.size(), 1u);
  EXPECT_EQ(f4[0].first_archive, "debian-security");
  EXPECT_EQ(f4[0].first_path, "dists/x/Release");
  auto f5 = Must(catalog->FileBySha256(H(5)));
  ASSERT_TRUE(f5);
  EXPECT_EQ(f5->first_run, R("20240103T000000Z"));
  EXPECT_EQ(f5->first_path, "pool/main/h/hello/hello_2.0.dsc");
  // New rows after the migration go through the places too.
  RunRows next = Rows("debian", "20240104T000000Z");
  next.files = {FileIdentity{.sha256 = H(6),
                             .sha1 = H1(6),
                             .size = 6,
                             .first_archive = "debian",
                             .first_run = R("20240104T000000Z"),
                             .first_path = "pool/main/h/hello/hello_3.0.dsc"}};
  ASSERT_OK(catalog->RecordRun(next));
  EXPECT_EQ(Must(catalog->FileBySha256(H(6)))->first_path, "pool/main/h/hello/hello_3.0.dsc");
}

TEST_P(CatalogConformance, TreeNodeCache) {
  auto catalog = Open(GetParam());
  RunRows rows = Rows("debian", "20240101T000000Z");
  // A folder of files only is recorded by id (its bytes stay in the store); a folder holding a
  // folder is kept whole, as lookups pass through it.
  using archive::EncodedDirectory;
  using archive::EntryType;
  using archive::TreeEntry;
  std::vector<TreeEntry> leaf = {{.name = "a.deb", .size = 3, .hash = H(1)},
                                 {.name = "b.deb", .size = 4, .hash = H(2)}};
  EncodedDirectory files = Must(archive::EncodeDirectory(leaf));
  std::vector<TreeEntry> top = {
      {.name = "pool", .type = EntryType::kDirectory, .size = 7, .file_count = 2, .hash = files.id},
      {.name = "README", .size = 1, .hash = H(3)}};
  EncodedDirectory folders = Must(archive::EncodeDirectory(top));
  ASSERT_EQ(files.nodes.size(), 1u);
  ASSERT_EQ(folders.nodes.size(), 1u);
  rows.nodes = {files.nodes[0], folders.nodes[0]};
  ASSERT_OK(catalog->RecordRun(rows));
  EXPECT_EQ(Must(catalog->GetNode(folders.id)), folders.nodes[0].bytes);
  EXPECT_FALSE(Must(catalog->GetNode(files.id)).has_value()) << "a leaf's bytes were cached";
  EXPECT_FALSE(Must(catalog->GetNode(H(8))).has_value());
  const Sha256 ids[] = {H(8), folders.id, files.id, H(9)};
  EXPECT_EQ(Must(catalog->HasNodes(ids)), (std::vector<bool>{false, true, true, false}));

  // A folder of 600 folders is sharded: its shard node is kept, its leaves (which hold folders
  // but one of which every change below rewrites) are recorded by id.
  std::vector<TreeEntry> wide;
  for (int i = 0; i < 600; ++i) {
    wide.push_back({.name = "src" + std::to_string(i),
                    .type = EntryType::kDirectory,
                    .size = 7,
                    .file_count = 2,
                    .hash = files.id});
  }
  EncodedDirectory sharded = Must(archive::EncodeDirectory(wide));
  ASSERT_GT(sharded.nodes.size(), 2u);
  RunRows later = Rows("debian", "20240102T000000Z");
  later.nodes = sharded.nodes;
  ASSERT_OK(catalog->RecordRun(later));
  EXPECT_EQ(Must(catalog->GetNode(sharded.id)), sharded.nodes.back().bytes);
  std::vector<Sha256> leaves;
  for (size_t i = 0; i + 1 < sharded.nodes.size(); ++i) {
    EXPECT_FALSE(Must(catalog->GetNode(sharded.nodes[i].id)).has_value()) << "shard leaf " << i;
    leaves.push_back(sharded.nodes[i].id);
  }
  EXPECT_EQ(Must(catalog->HasNodes(leaves)), std::vector<bool>(leaves.size(), true));
}

TEST_P(CatalogConformance, StatCacheDeltas) {
  auto catalog = Open(GetParam());
  archive::StatFolderRow a{.path = "pool/a",
                           .node = H(1),
                           .files = 0xffffffffffffff00ull >> 1,
                           .bytes = 66,
                           .listing = std::string("\x00\x01\xff packed", 10)};
  archive::StatFolderRow b = a;
  b.path = "pool/b";
  RunRows first = Rows("debian", "20240101T000000Z");
  first.stat_cache = archive::StatCacheDelta{.upserts = {a, b}};
  ASSERT_OK(catalog->RecordRun(first));
  auto rows = Must(catalog->LoadStatCache("debian"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0] == a || rows[1] == a);

  archive::StatFolderRow a2 = a;
  a2.node = H(2);
  a2.listing += "more";
  RunRows second = Rows("debian", "20240102T000000Z");
  second.stat_cache = archive::StatCacheDelta{.upserts = {a2}, .deletes = {"pool/b"}};
  ASSERT_OK(catalog->RecordRun(second));
  rows = Must(catalog->LoadStatCache("debian"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], a2);
  EXPECT_TRUE(Must(catalog->LoadStatCache("other")).empty());
}

TEST_P(CatalogConformance, ClearRebuildableEmptiesEverythingButLocksAndCounters) {
  auto db = Make(GetParam());
  auto catalog = Must(Catalog::Open(db));
  RunRows rows = Rows("debian", "20240101T000000Z");
  rows.files = {{.sha256 = H(1),
                 .sha1 = H1(1),
                 .size = 1,
                 .first_archive = "debian",
                 .first_run = R("20240101T000000Z"),
                 .first_path = "a"}};
  rows.nodes = {{H(7), "node"}};
  ASSERT_OK(catalog->RecordRun(rows));
  auto lock = Must(archive::WriterLock::Acquire(db, "debian", {.owner = "keeper"}));
  auto conn = Must(db->Acquire());
  const int64_t changes = Must(catalog->RunChanges("debian"));
  ASSERT_GT(changes, 0);
  ASSERT_OK(db::WithTransaction(*conn, db::TransactionMode::kWrite,
                                [](db::Connection& c) { return Catalog::ClearRebuildable(c); }));
  EXPECT_TRUE(Must(catalog->ListRuns("debian")).empty());
  // The archive and its counter stay until the rebuild has recorded the runs again.
  EXPECT_EQ(Must(catalog->RunChanges("debian")), changes);
  ASSERT_OK(db::WithTransaction(*conn, db::TransactionMode::kWrite, [](db::Connection& c) {
    return Catalog::ForgetArchivesWithoutRuns(c);
  }));
  EXPECT_TRUE(Must(catalog->ListArchives()).empty());
  EXPECT_EQ(Must(catalog->CountFiles()), 0u);
  EXPECT_FALSE(Must(catalog->GetNode(H(7))).has_value());
  ASSERT_OK(lock->Confirm());
}

// --- writer locks ---

TEST_P(CatalogConformance, SecondWriterOfAnArchiveIsRefusedWithTheHolderNamed) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  auto first = Must(archive::WriterLock::Acquire(db, "debian", {.owner = "importer-one"}));
  auto second = archive::WriterLock::Acquire(db, "debian", {.owner = "importer-two"});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("'debian' is being written by importer-one"),
            std::string::npos)
      << second.status().message();
  EXPECT_TRUE(archive::IsWriterLockBusy(second.status()));
  EXPECT_FALSE(archive::IsWriterLockBusy(Unavailable("connection refused")));
  EXPECT_EQ(second.status().message().find("--wait"), std::string::npos)
      << "the archive layer names no command-line option: " << second.status().message();
  // Another archive is independent.
  auto other = archive::WriterLock::Acquire(db, "ubuntu", {.owner = "importer-two"});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_OK(first->Release());
  auto third = archive::WriterLock::Acquire(db, "debian", {.owner = "importer-three"});
  ASSERT_TRUE(third.ok()) << third.status().ToString();
}

TEST_P(CatalogConformance, WaitingWriterGetsTheLockWhenReleased) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  auto first = Must(archive::WriterLock::Acquire(db, "debian", {.owner = "one"}));
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    first->Release().IgnoreError();
  });
  auto second = archive::WriterLock::Acquire(
      db, "debian", {.owner = "two", .wait = std::chrono::milliseconds(10'000)});
  releaser.join();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_OK((*second)->Confirm());
}

TEST_P(CatalogConformance, ExpiredLeaseIsTakenOverAndTheOldHolderKnows) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  ManualClock clock;
  // A holder whose renewer never gets to run (renew_every far beyond the test).
  auto stale = Must(archive::WriterLock::Acquire(db, "debian",
                                                 {.owner = "crashed",
                                                  .lease = std::chrono::milliseconds(1000),
                                                  .renew_every = std::chrono::hours(1),
                                                  .clock = &clock}));
  auto early = archive::WriterLock::Acquire(db, "debian", {.owner = "new", .clock = &clock});
  ASSERT_FALSE(early.ok());
  clock.Advance(std::chrono::milliseconds(1500));
  auto taker = archive::WriterLock::Acquire(db, "debian", {.owner = "new", .clock = &clock});
  ASSERT_TRUE(taker.ok()) << taker.status().ToString();
  EXPECT_TRUE((*taker)->previous_holder_died()) << "an expired lease is a holder that died";
  EXPECT_FALSE(stale->previous_holder_died()) << "the first holder found no row";
  Status lost = stale->Confirm();
  EXPECT_EQ(lost.code(), StatusCode::kPreconditionFailed) << lost.ToString();
  EXPECT_NE(lost.message().find("lost the writer lock"), std::string::npos);
  // The stale holder's release must not free the new holder's lock.
  ASSERT_OK(stale->Release());
  ASSERT_OK((*taker)->Confirm());
}

// What the lock records of a holder on this machine: " local=<boot id>:<pid ns>:<pid>".
std::string LocalTag(pid_t pid) {
  std::ifstream boot_file("/proc/sys/kernel/random/boot_id");
  std::string boot;
  std::getline(boot_file, boot);
  char ns[64] = {};
  ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  return " local=" + boot + ":" + std::string(ns, n > 0 ? static_cast<size_t>(n) : 0) + ":" +
         std::to_string(pid);
}

void PlantLock(db::Database& database, const std::string& owner) {
  auto conn = Must(database.Acquire());
  const int64_t far = int64_t{4'000'000'000'000};  // year 2096
  const db::Value params[] = {std::string("debian"), owner, int64_t{0}, far};
  ASSERT_TRUE(conn->Execute("INSERT INTO archive_locks(archive, owner, acquired_ms, expires_ms) "
                            "VALUES ($1, $2, $3, $4)",
                            params)
                  .ok());
}

TEST_P(CatalogConformance, LockOfADeadProcessOnThisMachineIsTakenOverAtOnce) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);  // `child` names no process now
  PlantLock(*db, "crashed-importer" + LocalTag(child) + " lock=abc");
  auto taker = archive::WriterLock::Acquire(db, "debian", {.owner = "next"});
  ASSERT_TRUE(taker.ok()) << taker.status().ToString();
  EXPECT_TRUE((*taker)->previous_holder_died());
  ASSERT_OK((*taker)->Confirm());
}

// A released lock tells the next holder nothing went wrong; an abandoned one (a writer that
// passed its commit point and could not record the run) reads as a holder that died.
TEST_P(CatalogConformance, AnAbandonedLockReadsAsAHolderThatDied) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  ManualClock clock;
  auto first = Must(archive::WriterLock::Acquire(
      db, "debian", {.owner = "one", .lease = std::chrono::milliseconds(1000), .clock = &clock}));
  ASSERT_OK(first->Release());
  auto second = Must(archive::WriterLock::Acquire(
      db, "debian", {.owner = "two", .lease = std::chrono::milliseconds(1000), .clock = &clock}));
  EXPECT_FALSE(second->previous_holder_died());
  second->Abandon();
  EXPECT_FALSE(second->Confirm().ok()) << "an abandoned lock is not held";
  // Its row stays until the lease runs out (the process is alive: no early take-over).
  EXPECT_FALSE(
      archive::WriterLock::Acquire(db, "debian", {.owner = "three", .clock = &clock}).ok());
  clock.Advance(std::chrono::milliseconds(1500));
  auto third =
      Must(archive::WriterLock::Acquire(db, "debian", {.owner = "three", .clock = &clock}));
  EXPECT_TRUE(third->previous_holder_died());
  second.reset();  // destroying an abandoned lock frees nothing
  ASSERT_OK(third->Confirm());
}

TEST_P(CatalogConformance, LockOfALiveProcessIsNotTakenOver) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  PlantLock(*db, "live-importer" + LocalTag(::getpid()) + " lock=abc");
  auto refused = archive::WriterLock::Acquire(db, "debian", {.owner = "next"});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("live-importer"), std::string::npos);
  // Nor a dead process of another machine (another boot id).
  auto db2 = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db2).ok());
  PlantLock(*db2, "remote-importer local=00000000-0000-0000-0000-000000000000:pid:[1]:1 lock=x");
  EXPECT_FALSE(archive::WriterLock::Acquire(db2, "debian", {.owner = "next"}).ok());
}

TEST_P(CatalogConformance, RenewalKeepsTheLeaseAlive) {
  auto db = Make(GetParam());
  ASSERT_TRUE(Catalog::Open(db).ok());
  auto lock = Must(archive::WriterLock::Acquire(db, "debian",
                                                {.owner = "one",
                                                 .lease = std::chrono::milliseconds(600),
                                                 .renew_every = std::chrono::milliseconds(100)}));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto other = archive::WriterLock::Acquire(db, "debian", {.owner = "two"});
  EXPECT_FALSE(other.ok());
  ASSERT_OK(lock->Confirm());
}

}  // namespace
}  // namespace mv::testing
