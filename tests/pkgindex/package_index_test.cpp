// The package index built from runs imported from local trees (the same path a mirrored run
// takes): stretches of presence across runs, files, sources, Debian version order, a back-dated
// run, and indexes that cannot be trusted.
#include "pkgindex/package_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archive/node_source.h"
#include "pkgindex/suite_fixture.h"
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
};

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

}  // namespace
}  // namespace mv::pkgindex
