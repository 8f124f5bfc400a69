// The derived view of one suite from hand-written indexes: the closure's stanzas kept as they
// were, the sources those binaries name, the pool files, a Release that lists every index by its
// hash (with by-hash copies), and InRelease/Release.gpg that verify with the operator's key.
#include "importer/derived_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "apt/release.h"
#include "support/file_bytes.h"
#include "support/temp_dir.h"
#include "util/decompress.h"
#include "util/hash.h"

namespace mv::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Bin(const std::string& name, const std::string& version, const std::string& arch,
                const std::string& extra = "") {
  const std::string file = "pool/main/" + name + "_" + version + "_" + arch + ".deb";
  return "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch + "\n" + extra +
         "Filename: " + file + "\nSize: 3\nSHA256: " + Sha256Hex(file) + "\nDescription: " + name +
         "\n long text\n .\n more\n\n";
}

class DerivedViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.path() + "/gnupg";
    ASSERT_EQ(std::system(("mkdir -m 700 " + home_ + " && gpg --batch --quiet --homedir " + home_ +
                           " --passphrase '' --quick-gen-key 'view test <view@example.invalid>' "
                           "ed25519 sign never 2>/dev/null && gpg --batch --quiet --homedir " +
                           home_ + " --export > " + dir_.path() + "/op.gpg")
                              .c_str()),
              0);
    upstream_.origin = "Up";
    upstream_.suite = "stable";
    upstream_.codename = "bookworm";
    upstream_.date = "Sat, 10 Jun 2023 08:52:27 UTC";
    upstream_.valid_until = "Sat, 17 Jun 2023 08:52:27 UTC";
    upstream_.architectures = {"amd64", "arm64"};
    upstream_.components = {"main"};
  }
  void TearDown() override {
    (void)std::system(("gpgconf --homedir " + home_ + " --kill gpg-agent").c_str());
  }

  testing::TempDir dir_;
  std::string home_;
  apt::Release upstream_;
};

TEST_F(DerivedViewTest, HoldsExactlyTheClosureAndVerifies) {
  std::vector<ViewIndex> indexes = {
      {.base = "main/binary-amd64/Packages",
       .kind = apt::IndexKind::kPackages,
       .architecture = "amd64",
       .component = "main",
       .text = Bin("app", "1", "amd64", "Source: appsrc (1-1)\nDepends: lib (>= 2), gone\n") +
               Bin("lib", "2", "amd64") + Bin("other", "1", "amd64") + Bin("data", "1", "all")},
      {.base = "main/source/Sources",
       .kind = apt::IndexKind::kSources,
       .architecture = "source",
       .component = "main",
       .text =
           "Package: appsrc\nVersion: 1-1\nDirectory: pool/main/a/appsrc\nChecksums-Sha256:\n " +
           Sha256Hex("d") +
           " 1 appsrc_1-1.dsc\n\nPackage: othersrc\nVersion: 1\nDirectory: "
           "pool/main/o\nChecksums-Sha256:\n " +
           Sha256Hex("o") +
           " 1 o.dsc\n\nPackage: selsrc\nVersion: 2\nDirectory: pool/main/s\n"
           "Checksums-Sha256:\n " +
           Sha256Hex("s") + " 1 s.dsc\n"}};
  auto view = BuildSuiteView(
      upstream_, indexes, [](std::string_view n) { return n == "app" || n == "selsrc"; },
      {.signing_key = {.gnupg_home = home_, .key = "view@example.invalid"}}, "test: suite stable");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->binary_packages, 2u);
  EXPECT_EQ(view->source_packages, 2u) << "appsrc, named by app, and selsrc, selected";
  ASSERT_EQ(view->unsatisfied.size(), 1u);
  EXPECT_EQ(view->unsatisfied[0].group, "gone");
  std::vector<std::string> pool;
  for (const apt::PoolFile& f : view->pool) pool.push_back(f.path);
  EXPECT_THAT(pool, ElementsAre("pool/main/app_1_amd64.deb", "pool/main/lib_2_amd64.deb",
                                "pool/main/a/appsrc/appsrc_1-1.dsc", "pool/main/s/s.dsc"));

  std::map<std::string, std::string> files;
  for (const apt::WrittenFile& f : view->files) files[f.path] = f.bytes;
  ASSERT_EQ(files.count("main/binary-amd64/Packages.xz"), 1u);
  auto packages =
      Decompress(files["main/binary-amd64/Packages.xz"], Compression::kXz, "x", 1 << 20);
  ASSERT_TRUE(packages.ok());
  // The upstream's stanzas as they were, in their order.
  EXPECT_EQ(*packages,
            Bin("app", "1", "amd64", "Source: appsrc (1-1)\nDepends: lib (>= 2), gone\n") +
                Bin("lib", "2", "amd64").substr(0, Bin("lib", "2", "amd64").size() - 1));
  auto sources = Decompress(files["main/source/Sources.gz"], Compression::kGzip, "x", 1 << 20);
  ASSERT_TRUE(sources.ok());
  EXPECT_THAT(*sources, HasSubstr("Package: appsrc"));
  EXPECT_THAT(*sources, ::testing::Not(HasSubstr("othersrc")));

  auto release = apt::ParseRelease(files["Release"], "view Release");
  ASSERT_TRUE(release.ok()) << release.status().ToString();
  EXPECT_TRUE(release->valid_until.empty());
  EXPECT_EQ(release->date, upstream_.date);
  EXPECT_TRUE(release->acquire_by_hash);
  EXPECT_EQ(release->files.size(), 6u);
  for (const auto& [path, entry] : release->files) {
    ASSERT_EQ(files.count(path), 1u) << path;
    EXPECT_EQ(Sha256Hex(files[path]), entry.sha256) << path;
    const std::string dir = path.substr(0, path.rfind('/') + 1);
    EXPECT_EQ(files.count(dir + "by-hash/SHA256/" + entry.sha256), 1u) << path;
  }
  testing::WriteFileBytes(dir_.path() + "/InRelease", files["InRelease"]);
  testing::WriteFileBytes(dir_.path() + "/Release", files["Release"]);
  testing::WriteFileBytes(dir_.path() + "/Release.gpg", files["Release.gpg"]);
  const std::string ring = " --keyring " + dir_.path() + "/op.gpg ";
  EXPECT_EQ(std::system(("gpgv" + ring + dir_.path() + "/InRelease 2>/dev/null").c_str()), 0);
  EXPECT_EQ(std::system(("gpgv" + ring + dir_.path() + "/Release.gpg " + dir_.path() +
                         "/Release 2>/dev/null")
                            .c_str()),
            0);
}

TEST_F(DerivedViewTest, BadDependencyFieldsAndKeysAreNamed) {
  std::vector<ViewIndex> indexes = {{.base = "main/binary-amd64/Packages",
                                     .kind = apt::IndexKind::kPackages,
                                     .architecture = "amd64",
                                     .component = "main",
                                     .text = Bin("app", "1", "amd64", "Depends: lib (>>)\n")}};
  auto bad = BuildSuiteView(
      upstream_, indexes, [](std::string_view n) { return n == "app"; },
      {.signing_key = {.gnupg_home = home_, .key = "view@example.invalid"}}, "test: suite stable");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("Depends of app 1 (amd64)"));
  indexes[0].text = Bin("app", "1", "amd64");
  auto nokey = BuildSuiteView(
      upstream_, indexes, [](std::string_view n) { return n == "app"; },
      {.signing_key = {.gnupg_home = home_, .key = "nobody@example.invalid"}},
      "test: suite stable");
  ASSERT_FALSE(nokey.ok());
  EXPECT_THAT(nokey.status().message(), HasSubstr("nobody@example.invalid"));
}

}  // namespace
}  // namespace mv::importer
