// The package index built from runs imported from local trees (the same path a mirrored run
// takes): stretches of presence across runs, files, sources, Debian version order, a back-dated
// run, indexes that cannot be trusted, sources known from binaries' Source: fields (a
// binary-only mirror), rebuilding from the store alone, and the upgrade of a version-1 index.
#include "pkgindex/package_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "archive/node_source.h"
#include "archive/recovery.h"
#include "pkgindex/run_packages.h"
#include "pkgindex/suite_fixture.h"
#include "pkgindex/upgrade_check.h"
#include "util/hash.h"

namespace mv::pkgindex {
namespace {

using testing::Pkg;

class PackageIndexTest : public testing::SuiteFixture {
 protected:
  std::vector<std::string> Stretches(const std::string& name) {
    auto rows = index_->Presence("debian", name);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    for (const PresenceRow& r : *rows) {
      out.push_back(r.suite + "/" + r.component + "/" + r.architecture + " " + r.version + " " +
                    r.first_run.ToString() + ".." + r.last_run.ToString());
    }
    return out;
  }

  // suite -> index path under main/ -> the packages it lists (a Sources when the path says so).
  using Suites = std::map<std::string, std::map<std::string, std::vector<Pkg>>>;
  // The mirror tree holds these suites, each with a Release listing its indexes, and nothing else.
  void WriteSuites(const Suites& suites) {
    std::filesystem::remove_all(mirror_);
    for (const auto& [suite, indexes] : suites) {
      std::string release = "Suite: " + suite + "\nComponents: main\nSHA256:\n";
      for (const auto& [path, pkgs] : indexes) {
        std::string text;
        for (const Pkg& p : pkgs) {
          if (path.starts_with("source/")) {
            text += "Package: " + p.name + "\nVersion: " + p.version + "\nDirectory: pool/" +
                    p.name + "\nChecksums-Sha256:\n " + Sha256Hex("dsc") + " 3 " + p.name +
                    ".dsc\n\n";
          } else {
            const std::string deb = "pool/" + p.name + "_" + p.version + ".deb";
            text += "Package: " + p.name + "\nVersion: " + p.version +
                    "\nArchitecture: all\nFilename: " + deb +
                    "\nSize: 3\nSHA256: " + Sha256Hex("deb") + "\n\n";
          }
        }
        Write("dists/" + suite + "/main/" + path, text);
        release +=
            " " + Sha256Hex(text) + " " + std::to_string(text.size()) + " main/" + path + "\n";
      }
      Write("dists/" + suite + "/Release", release);
    }
  }

  // The mirror tree holds bookworm with one main/binary-amd64/Packages of exactly `text`.
  void WritePackagesText(const std::string& text) {
    std::filesystem::remove_all(mirror_);
    Write("dists/bookworm/main/binary-amd64/Packages", text);
    Write("dists/bookworm/Release", "Suite: bookworm\nComponents: main\nSHA256:\n " +
                                        Sha256Hex(text) + " " + std::to_string(text.size()) +
                                        " main/binary-amd64/Packages\n");
  }

  // At every run of the archive, the package index's stretches are what a full read of that run
  // alone gives.
  void ExpectStretchesAsFullReads() {
    auto runs = catalog_->ListRuns("debian");
    ASSERT_TRUE(runs.ok()) << runs.status().ToString();
    auto nodes = archive::MakeCachedNodeSource(store_, catalog_.get());
    auto conn = database_->Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    for (const archive::RunRow& r : *runs) {
      auto full = ReadRunPackages(*store_, *nodes, r.root);
      ASSERT_TRUE(full.ok()) << full.status().ToString();
      std::vector<PresenceKey> stretched;
      const std::string at = r.run_id.ToString();
      const db::Value params[] = {std::string("debian"), at};
      ASSERT_TRUE((*conn)
                      ->Query("SELECT suite, component, architecture, name, version FROM "
                              "pkg_presence WHERE archive = $1 AND first_run <= $2 AND "
                              "(last_run IS NULL OR last_run >= $2) ORDER BY 1, 2, 3, 4, 5",
                              params,
                              [&](const db::Row& row) {
                                stretched.push_back({row.Text(0), row.Text(1), row.Text(2),
                                                     row.Text(3), row.Text(4)});
                                return Status::Ok();
                              })
                      .ok());
      EXPECT_EQ(stretched, full->presence) << "at " << at;
    }
  }
};

// One paragraph of a Packages (architecture amd64), with `extra` fields.
std::string Paragraph(const std::string& name, const std::string& version,
                      const std::string& extra = "") {
  return "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n" + extra +
         "Filename: pool/" + name + "_" + version + ".deb\nSize: 3\nSHA256: " + Sha256Hex("deb") +
         "\n\n";
}

constexpr const char* kR1 = "20240101T000000Z";
constexpr const char* kR2 = "20240201T000000Z";
constexpr const char* kR3 = "20240301T000000Z";

TEST_F(PackageIndexTest, StretchesOfPresenceAcrossRuns) {
  WriteSuite({{"hello", "1.0"}, {"libfoo1", "2.0", "foo"}}, {{"hello", "1.0"}, {"foo", "2.0"}});
  auto s1 = ImportIndexed(kR1);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  ASSERT_TRUE(s1->package_index.status.ok()) << s1->package_index.status.ToString();
  EXPECT_EQ(s1->package_index.summary->presence_opened, 4u);

  WriteSuite({{"hello", "2.0"}, {"libfoo1", "2.0", "foo"}}, {{"hello", "2.0"}, {"foo", "2.0"}});
  auto s2 = ImportIndexed(kR2);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  EXPECT_EQ(s2->package_index.summary->presence_opened, 2u);
  EXPECT_EQ(s2->package_index.summary->presence_closed, 2u);

  WriteSuite({{"hello", "1.0"}, {"libfoo1", "2.0", "foo"}}, {{"hello", "1.0"}, {"foo", "2.0"}});
  ASSERT_TRUE(ImportIndexed(kR3).ok());

  EXPECT_EQ(
      Stretches("hello"),
      (std::vector<std::string>{"bookworm/main/amd64 1.0 20240101T000000Z..20240101T000000Z",
                                "bookworm/main/amd64 1.0 20240301T000000Z..20240301T000000Z",
                                "bookworm/main/amd64 2.0 20240201T000000Z..20240201T000000Z",
                                "bookworm/main/source 1.0 20240101T000000Z..20240101T000000Z",
                                "bookworm/main/source 1.0 20240301T000000Z..20240301T000000Z",
                                "bookworm/main/source 2.0 20240201T000000Z..20240201T000000Z"}));
  EXPECT_EQ(
      Stretches("libfoo1"),
      (std::vector<std::string>{"bookworm/main/amd64 2.0 20240101T000000Z..20240301T000000Z"}));

  auto files = index_->BinaryFiles("libfoo1", "2.0");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].architecture, "amd64");
  EXPECT_EQ((*files)[0].path, "pool/main/l/libfoo1/libfoo1_2.0_amd64.deb");
  EXPECT_EQ(archive::ToHex((*files)[0].sha256), Sha256Hex("deb libfoo1 2.0"));
  auto built = index_->BinariesOfSource("foo", "2.0");
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, (std::vector<BinaryRow>{{"libfoo1", "2.0"}}));
  auto source_files = index_->SourceFiles("hello", "2.0");
  ASSERT_TRUE(source_files.ok());
  ASSERT_EQ(source_files->size(), 2u);
  EXPECT_EQ((*source_files)[0].path, "pool/main/h/hello/hello_2.0.dsc");
  EXPECT_EQ((*source_files)[1].path, "pool/main/h/hello/hello_2.0.tar.xz");
}

TEST_F(PackageIndexTest, VersionsNewestFirstInDebianOrder) {
  WriteSuite({}, {{"v", "1.0"}, {"v", "1.0~rc1"}, {"v", "1:0.5"}, {"v", "1.0+b1"}, {"v", "0.9"}});
  ASSERT_TRUE(ImportIndexed(kR1).ok());
  auto versions = index_->SourceVersions("v");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, (std::vector<std::string>{"1:0.5", "1.0+b1", "1.0", "1.0~rc1", "0.9"}));
}

TEST_F(PackageIndexTest, BackDatedRunRebuildsTheStretches) {
  WriteSuite({{"hello", "1.0"}}, {});
  ASSERT_TRUE(ImportIndexed(kR1).ok());
  WriteSuite({{"hello", "1.0"}}, {});
  ASSERT_TRUE(ImportIndexed(kR3).ok());
  // A run between the two that lacked hello: the stretch splits in two.
  WriteSuite({{"other", "1"}}, {});
  auto s = ImportIndexed(kR2);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->package_index.summary->runs_indexed, 3u);
  EXPECT_EQ(Stretches("hello"), (std::vector<std::string>{
                                    "bookworm/main/amd64 1.0 20240101T000000Z..20240101T000000Z",
                                    "bookworm/main/amd64 1.0 20240301T000000Z..20240301T000000Z"}));
  EXPECT_EQ(Stretches("other"),
            (std::vector<std::string>{"bookworm/main/amd64 1 20240201T000000Z..20240201T000000Z"}));
}

TEST_F(PackageIndexTest, UntrustedIndexesAreSkippedAndSaid) {
  // A Release without SHA256 (a local tree's odd Release): the import goes on, the suite is
  // skipped and the reason given.
  WriteSuite({{"hello", "1.0"}}, {}, /*sign_release=*/false);
  auto s = ImportIndexed(kR1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->package_index.summary.has_value());
  ASSERT_EQ(s->package_index.summary->skipped.size(), 1u);
  EXPECT_NE(s->package_index.summary->skipped[0].find("no SHA256 list"), std::string::npos)
      << s->package_index.summary->skipped[0];
  EXPECT_TRUE(Stretches("hello").empty());
  // A Packages that is not the one its Release lists is not read.
  WriteSuite({{"hello", "1.0"}}, {});
  Write("dists/bookworm/main/binary-amd64/Packages", "Package: evil\nVersion: 1\n");
  auto s2 = ImportIndexed(kR2);
  ASSERT_TRUE(s2.ok());
  ASSERT_EQ(s2->package_index.summary->skipped.size(), 1u);
  EXPECT_NE(s2->package_index.summary->skipped[0].find("not the file its Release lists"),
            std::string::npos);
  EXPECT_TRUE(Stretches("evil").empty());
}

// A binary-only mirror (the default): the Release lists Sources, the run does not hold it.
TEST_F(PackageIndexTest, BinariesNameTheirSourcesWithoutASourcesIndex) {
  WriteSuite({{"libbsd0", "0.11.7-2", "libbsd"},
              {"libbsd-dev", "0.11.7-2", "libbsd"},
              {"libcap2-bin", "2.66-4+b1", "libcap2 (1:2.66-4)"},
              {"hello", "2.10-3"}},
             {});
  std::filesystem::remove(mirror_ + "/dists/bookworm/main/source/Sources");
  auto s = ImportIndexed(kR1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->package_index.status.ok()) << s->package_index.status.ToString();

  auto names = index_->SourceNames();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"hello", "libbsd", "libcap2"}));
  EXPECT_EQ(*index_->SourceNames("lib"), (std::vector<std::string>{"libbsd", "libcap2"}));
  EXPECT_EQ(*index_->SourceVersions("libcap2"), (std::vector<std::string>{"1:2.66-4"}));
  EXPECT_EQ(*index_->SourceVersions("hello"), (std::vector<std::string>{"2.10-3"}));
  EXPECT_EQ(*index_->BinariesOfSource("libbsd", "0.11.7-2"),
            (std::vector<BinaryRow>{{"libbsd-dev", "0.11.7-2"}, {"libbsd0", "0.11.7-2"}}));
  EXPECT_EQ(*index_->BinariesOfSource("libcap2", "1:2.66-4"),
            (std::vector<BinaryRow>{{"libcap2-bin", "2.66-4+b1"}}));
  // Known, with no source files: none was mirrored.
  auto files = index_->SourceFiles("libbsd", "0.11.7-2");
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
  // Every binary's source is a source the index knows.
  for (const char* binary : {"libbsd0", "libbsd-dev", "libcap2-bin", "hello"}) {
    auto versions = index_->BinaryVersions(binary);
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), 1u) << binary;
    auto source_versions = index_->SourceVersions((*versions)[0].source);
    ASSERT_TRUE(source_versions.ok());
    EXPECT_EQ(*source_versions, std::vector<std::string>{(*versions)[0].source_version}) << binary;
  }

  // A later run with the Sources index: the same source version gains its files, once.
  WriteSuite({{"libbsd0", "0.11.7-2", "libbsd"}}, {{"libbsd", "0.11.7-2"}});
  ASSERT_TRUE(ImportIndexed(kR2).ok());
  EXPECT_EQ(*index_->SourceVersions("libbsd"), (std::vector<std::string>{"0.11.7-2"}));
  EXPECT_EQ(index_->SourceFiles("libbsd", "0.11.7-2")->size(), 2u);
}

TEST_F(PackageIndexTest, AFlatRepositoryAtTheTopIsIndexed) {
  // apt's `deb URI ./`: Release and Packages at the run's top, no dists/.
  auto write_flat = [&](const std::vector<Pkg>& binaries) {
    WriteSuite(binaries, {});
    std::filesystem::rename(mirror_ + "/dists/bookworm/main/binary-amd64/Packages",
                            mirror_ + "/Packages");
    std::filesystem::remove_all(mirror_ + "/dists");
    std::ifstream in(mirror_ + "/Packages", std::ios::binary);
    const std::string packages((std::istreambuf_iterator<char>(in)), {});
    std::ofstream release(mirror_ + "/Release", std::ios::binary);
    release << "Origin: flat\nSHA256:\n " << Sha256Hex(packages) << " " << packages.size()
            << " Packages\n";
  };
  write_flat({{"libbsd0", "0.11.7-2", "libbsd"}, {"hello", "2.10-3"}});
  auto s = ImportIndexed(kR1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->package_index.status.ok()) << s->package_index.status.ToString();
  EXPECT_EQ(*index_->SourceNames(), (std::vector<std::string>{"hello", "libbsd"}));
  EXPECT_EQ(*index_->BinariesOfSource("libbsd", "0.11.7-2"),
            (std::vector<BinaryRow>{{"libbsd0", "0.11.7-2"}}));
  auto rows = index_->Presence("debian", "libbsd0");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].suite, ".");
  EXPECT_EQ((*rows)[0].architecture, "amd64");

  // The next run, read against this one: hello moves on, libbsd0 stays.
  write_flat({{"libbsd0", "0.11.7-2", "libbsd"}, {"hello", "2.10-4"}});
  auto s2 = ImportIndexed(kR2);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  ASSERT_TRUE(s2->package_index.status.ok()) << s2->package_index.status.ToString();
  EXPECT_EQ(s2->package_index.summary->presence_opened, 1u);
  EXPECT_EQ(s2->package_index.summary->presence_closed, 1u);
  // One stretch of libbsd0 over both runs; hello's 2.10-3 ends where 2.10-4 begins.
  const std::string r1(kR1), r2(kR2);
  EXPECT_EQ(Stretches("libbsd0"),
            (std::vector<std::string>{".//amd64 0.11.7-2 " + r1 + ".." + r2}));
  EXPECT_EQ(Stretches("hello"), (std::vector<std::string>{".//amd64 2.10-3 " + r1 + ".." + r1,
                                                          ".//amd64 2.10-4 " + r2 + ".." + r2}));
}

// Every package-index table by its natural keys (row ids differ between two builds).
std::vector<std::string> Dump(db::Database& database) {
  auto conn = database.Acquire();
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  std::vector<std::string> out;
  for (const char* sql :
       {"SELECT 's', name, version FROM pkg_sources ORDER BY name, version",
        "SELECT 'sf', s.name || ' ' || s.version, f.path FROM pkg_source_files f JOIN pkg_sources "
        "s ON s.id = f.source_id ORDER BY 2, 3",
        "SELECT 'b', name || ' ' || version, source || ' ' || source_version FROM pkg_binaries "
        "ORDER BY 2, 3",
        "SELECT 'bf', b.name || ' ' || b.version, f.architecture || ' ' || f.path FROM "
        "pkg_binary_files f JOIN pkg_binaries b ON b.id = f.binary_id ORDER BY 2, 3",
        "SELECT 'p', archive || ' ' || suite || ' ' || component || ' ' || architecture || ' ' || "
        "name || ' ' || version, first_run || '..' || COALESCE(last_run, '') FROM pkg_presence "
        "ORDER BY 2, 3"}) {
    EXPECT_TRUE((*conn)
                    ->Query(sql, {},
                            [&](const db::Row& row) {
                              out.push_back(row.Text(0) + " " + row.Text(1) + " " + row.Text(2));
                              return Status::Ok();
                            })
                    .ok())
        << sql;
  }
  return out;
}

TEST_F(PackageIndexTest, RebuildFromTheStoreAloneDerivesTheSameIndex) {
  WriteSuite(
      {{"libbsd0", "0.11.7-2", "libbsd"}, {"libcap2-bin", "2.66-4+b1", "libcap2 (1:2.66-4)"}}, {});
  std::filesystem::remove(mirror_ + "/dists/bookworm/main/source/Sources");
  ASSERT_TRUE(ImportIndexed(kR1).ok());
  WriteSuite({{"libbsd0", "0.11.7-3", "libbsd"}, {"hello", "1.0"}}, {{"libbsd", "0.11.7-3"}});
  ASSERT_TRUE(ImportIndexed(kR2).ok());
  const std::vector<std::string> incremental = Dump(*database_);
  ASSERT_FALSE(incremental.empty());
  EXPECT_NE(std::find(incremental.begin(), incremental.end(), "s libcap2 1:2.66-4"),
            incremental.end());

  // A new catalog from the store alone (rebuild-catalog), then its package index.
  auto db = db::OpenDatabase("sqlite://" + tmp_.path() + "/rebuilt.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto catalog = archive::Catalog::Open(*db);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_TRUE(archive::RebuildCatalog(*store_, **catalog, nullptr).ok());
  auto index = PackageIndex::Open(*db);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto nodes = archive::MakeCachedNodeSource(store_, catalog->get());
  auto summary = (*index)->Rebuild(*store_, **catalog, *nodes);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->runs_indexed, 2u);
  EXPECT_EQ(Dump(**db), incremental);

  // And Rebuild over an index that has everything already: the same again.
  auto again = index_->Rebuild(*store_, *catalog_, *nodes);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Dump(*database_), incremental);
}

// Each run is read against the previous one: suite folders and indexes that are the same files
// are not read, and only the open stretches of the indexes that changed are looked at. After a
// history of changed, unchanged, removed and returning suites and indexes, what the stretches say
// was present at each run is exactly what a full read of that run's tree finds.
TEST_F(PackageIndexTest, RunsReadAgainstThePreviousRunGiveWhatAFullReadGives) {
  const Suites r1 = {{"bookworm",
                      {{"binary-amd64/Packages", {{"a", "1"}, {"b", "1"}}},
                       {"binary-arm64/Packages", {{"a", "1"}}},
                       {"source/Sources", {{"a", "1"}}}}},
                     {"trixie", {{"binary-amd64/Packages", {{"c", "1"}}}}}};
  Suites r2 = r1;  // bookworm's amd64 changes; its arm64, Sources and trixie do not
  r2["bookworm"]["binary-amd64/Packages"] = {{"a", "2"}, {"b", "1"}};
  Suites r3 = r2;  // trixie goes, and bookworm's arm64
  r3.erase("trixie");
  r3["bookworm"].erase("binary-arm64/Packages");
  // r4: nothing changes. r5: both come back, trixie with what it had.
  Suites r5 = r1;
  r5["bookworm"]["binary-amd64/Packages"] = {{"a", "2"}, {"b", "1"}};
  const char* ids[] = {"20240101T000000Z", "20240201T000000Z", "20240301T000000Z",
                       "20240401T000000Z", "20240501T000000Z"};
  const Suites* states[] = {&r1, &r2, &r3, &r3, &r5};
  for (size_t i = 0; i < 5; ++i) {
    WriteSuites(*states[i]);
    auto s = ImportIndexed(ids[i]);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE(s->package_index.status.ok()) << s->package_index.status.ToString();
    if (i == 3) {  // the same tree again: nothing read, nothing opened or closed
      EXPECT_EQ(s->package_index.summary->presence_opened, 0u);
      EXPECT_EQ(s->package_index.summary->presence_closed, 0u);
    }
    if (i == 1) {  // only bookworm's amd64: a 1 closed there, a 2 opened
      EXPECT_EQ(s->package_index.summary->presence_opened, 1u);
      EXPECT_EQ(s->package_index.summary->presence_closed, 1u);
    }
  }
  auto runs = catalog_->ListRuns("debian");
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 5u);
  ExpectStretchesAsFullReads();
}

// A changed index is compared with the previous run's paragraph by paragraph: a paragraph edited
// without a new version, a package gone, one of two paragraphs with the same key gone, one new;
// and an index whose run could not read it (a bad SHA256: skipped, its stretches closed) is not
// taken as the next run's previous side. At every run the stretches are what a full read gives.
TEST_F(PackageIndexTest, ChangedIndexesAreComparedParagraphByParagraph) {
  WritePackagesText(Paragraph("a", "1") + Paragraph("b", "1") +
                    Paragraph("c", "1", "Description: one\n") +
                    Paragraph("c", "1", "Description: two\n"));
  ASSERT_TRUE(ImportIndexed(kR1).ok());
  WritePackagesText(Paragraph("a", "1", "Description: edited\n") +
                    Paragraph("c", "1", "Description: two\n") + Paragraph("d", "1"));
  auto s2 = ImportIndexed(kR2);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  ASSERT_TRUE(s2->package_index.status.ok()) << s2->package_index.status.ToString();
  EXPECT_EQ(s2->package_index.summary->presence_opened, 1u);  // d
  EXPECT_EQ(s2->package_index.summary->presence_closed, 1u);  // b
  {
    auto runs = catalog_->ListRuns("debian");
    ASSERT_TRUE(runs.ok() && runs->size() == 2u);
    auto nodes = archive::MakeCachedNodeSource(store_, catalog_.get());
    auto against = ReadRunPackages(*store_, *nodes, (*runs)[1].root, (*runs)[0].root);
    ASSERT_TRUE(against.ok()) << against.status().ToString();
    ASSERT_EQ(against->compared.size(), 1u);
    EXPECT_EQ(against->compared[0].keys_before, 3u);
    ASSERT_EQ(against->presence.size(), 1u);
    EXPECT_EQ(against->presence[0].name, "d");
    ASSERT_EQ(against->gone.size(), 1u);
    EXPECT_EQ(against->gone[0].name, "b");
    ASSERT_EQ(against->binaries.size(), 1u);  // only the paragraphs that brought a package
    EXPECT_EQ(against->binaries[0].file.path, "pool/d_1.deb");
  }
  auto d_files = index_->BinaryFiles("d", "1");
  ASSERT_TRUE(d_files.ok()) << d_files.status().ToString();
  ASSERT_EQ(d_files->size(), 1u);
  EXPECT_EQ((*d_files)[0].path, "pool/d_1.deb");

  // Run 3 cannot be read (a hash that is not one): skipped, every stretch closed. Run 4 lists
  // what run 3 listed, read well: compared with run 3 nothing would open.
  const std::string bad = Paragraph("e", "1") +
                          "Package: a\nVersion: 1\nArchitecture: amd64\n"
                          "Filename: pool/a_1.deb\nSize: 3\nSHA256: nothex\n\n";
  WritePackagesText(bad);
  auto s3 = ImportIndexed(kR3);
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  ASSERT_EQ(s3->package_index.summary->skipped.size(), 1u);
  EXPECT_TRUE(Stretches("a").size() == 1u && Stretches("a")[0].ends_with(kR2))
      << ::testing::PrintToString(Stretches("a"));
  WritePackagesText(Paragraph("e", "1") + Paragraph("a", "1"));
  auto s4 = ImportIndexed("20240401T000000Z");
  ASSERT_TRUE(s4.ok()) << s4.status().ToString();
  EXPECT_EQ(s4->package_index.summary->presence_opened, 2u);
  ExpectStretchesAsFullReads();
}

// A changed index of hundreds of packages (its keys' table grows several times while it is
// compared): exactly the keys that came and went, the previous index's key count, and the
// stretches a full read gives.
TEST_F(PackageIndexTest, ALargeChangedIndexGivesExactlyTheKeysThatCameAndWent) {
  std::string before, after;
  for (int i = 0; i < 300; ++i) {
    const std::string name = "p" + std::to_string(i);
    before += Paragraph(name, "1");
    if (i % 30 == 0) continue;                          // 10 gone
    after += Paragraph(name, i % 30 == 1 ? "2" : "1");  // 10 with a new version
  }
  for (int i = 0; i < 10; ++i) after += Paragraph("new" + std::to_string(i), "1");  // 10 new
  WritePackagesText(before);
  ASSERT_TRUE(ImportIndexed(kR1).ok());
  WritePackagesText(after);
  auto s2 = ImportIndexed(kR2);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  ASSERT_TRUE(s2->package_index.status.ok()) << s2->package_index.status.ToString();
  EXPECT_EQ(s2->package_index.summary->presence_opened, 20u);
  EXPECT_EQ(s2->package_index.summary->presence_closed, 20u);
  auto runs = catalog_->ListRuns("debian");
  ASSERT_TRUE(runs.ok() && runs->size() == 2u);
  auto nodes = archive::MakeCachedNodeSource(store_, catalog_.get());
  auto against = ReadRunPackages(*store_, *nodes, (*runs)[1].root, (*runs)[0].root);
  ASSERT_TRUE(against.ok()) << against.status().ToString();
  ASSERT_EQ(against->compared.size(), 1u);
  EXPECT_EQ(against->compared[0].keys_before, 300u);
  std::set<std::string> came, went;
  for (const PresenceKey& k : against->presence) came.insert(k.name + "=" + k.version);
  for (const PresenceKey& k : against->gone) went.insert(k.name + "=" + k.version);
  std::set<std::string> expected_came, expected_went;
  for (int i = 0; i < 300; i += 30) {
    expected_went.insert("p" + std::to_string(i) + "=1");
    expected_went.insert("p" + std::to_string(i + 1) + "=1");
    expected_came.insert("p" + std::to_string(i + 1) + "=2");
  }
  for (int i = 0; i < 10; ++i) expected_came.insert("new" + std::to_string(i) + "=1");
  EXPECT_EQ(came, expected_came);
  EXPECT_EQ(went, expected_went);
  ExpectStretchesAsFullReads();
}

// The previous run's Release is gone from the store (a withdrawn or lost blob): its indexes
// cannot be compared, so the run is read in full rather than not at all.
TEST_F(PackageIndexTest, APreviousRunThatCannotBeReadMeansAFullRead) {
  WriteSuites({{"bookworm", {{"binary-amd64/Packages", {{"a", "1"}}}}}});
  ASSERT_TRUE(ImportIndexed(kR1).ok());
  WriteSuites({{"bookworm", {{"binary-amd64/Packages", {{"a", "2"}, {"b", "1"}}}}}});
  ASSERT_TRUE(ImportIndexed(kR2).ok());
  auto runs = catalog_->ListRuns("debian");
  ASSERT_TRUE(runs.ok() && runs->size() == 2u);
  auto nodes = archive::MakeCachedNodeSource(store_, catalog_.get());
  auto release = archive::LookupPath(*nodes, (*runs)[0].root, "dists/bookworm/Release");
  ASSERT_TRUE(release.ok()) << release.status().ToString();
  ASSERT_TRUE(store_->Delete(archive::BlobKey(release->hash)).ok());
  auto full = ReadRunPackages(*store_, *nodes, (*runs)[1].root);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  auto against = ReadRunPackages(*store_, *nodes, (*runs)[1].root, (*runs)[0].root);
  ASSERT_TRUE(against.ok()) << against.status().ToString();
  EXPECT_FALSE(against->against_previous);
  EXPECT_EQ(against->presence, full->presence);
  EXPECT_EQ(against->presence.size(), 2u);
}

// A catalog whose package index is at version 1 learns the sources its binaries name.
TEST_F(PackageIndexTest, VersionTwoUpgradesAnExistingIndex) {
  auto db = db::OpenDatabase("sqlite://" + tmp_.path() + "/old.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  testing::CheckVersionTwoUpgrade(*db);
}

}  // namespace
}  // namespace mv::pkgindex
