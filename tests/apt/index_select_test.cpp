#include "apt/index_select.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mv::apt {
namespace {

Release DebianLike() {
  Release r;
  r.components = {"main", "contrib"};
  r.architectures = {"amd64", "arm64"};
  for (const char* p : {"main/binary-amd64/Packages",
                        "main/binary-amd64/Packages.gz",
                        "main/binary-amd64/Packages.xz",
                        "main/binary-amd64/Release",
                        "main/binary-arm64/Packages.xz",
                        "main/binary-all/Packages.xz",
                        "main/source/Sources.xz",
                        "main/source/Release",
                        "main/Contents-amd64.gz",
                        "main/Contents-udeb-amd64.gz",
                        "main/Contents-source.gz",
                        "main/i18n/Translation-en.bz2",
                        "main/i18n/Index",
                        "main/dep11/Components-amd64.yml.gz",
                        "main/dep11/Components-arm64.yml.gz",
                        "main/dep11/icons-64x64.tar.gz",
                        "main/cnf/Commands-amd64.xz",
                        "main/cnf/Commands-arm64.xz",
                        "main/debian-installer/binary-amd64/Packages.xz",
                        "main/debian-installer/binary-amd64/Release",
                        "main/debian-installer/binary-arm64/Packages.xz",
                        "main/installer-amd64/current/images/SHA256SUMS",
                        "contrib/binary-amd64/Packages.xz",
                        "Contents-amd64.gz",
                        "main/binary-amd64/Packages.zst"}) {
    r.files[p] = {.size = 1, .sha256 = std::string(64, 'a')};
  }
  return r;
}

std::vector<std::string> Paths(const std::vector<SelectedIndex>& s) {
  std::vector<std::string> out;
  for (const SelectedIndex& i : s) out.push_back(i.path);
  return out;
}

TEST(SelectIndexes, ChosenComponentsAndArchitecturesWithEveryListedVariant) {
  Result<std::vector<SelectedIndex>> s =
      SelectIndexes(DebianLike(), {.components = {"main"}, .architectures = {"amd64"}}, "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(
      Paths(*s),
      (std::vector<std::string>{
          "Contents-amd64.gz", "main/Contents-amd64.gz", "main/Contents-udeb-amd64.gz",
          "main/binary-amd64/Packages", "main/binary-amd64/Packages.gz",
          "main/binary-amd64/Packages.xz", "main/binary-amd64/Release",
          "main/cnf/Commands-amd64.xz", "main/debian-installer/binary-amd64/Packages.xz",
          "main/debian-installer/binary-amd64/Release", "main/dep11/Components-amd64.yml.gz",
          "main/dep11/icons-64x64.tar.gz", "main/i18n/Index", "main/i18n/Translation-en.bz2"}));
  for (const SelectedIndex& i : *s) {
    if (i.path == "main/debian-installer/binary-amd64/Packages.xz") {
      EXPECT_EQ(i.kind, IndexKind::kInstallerPackages);
      EXPECT_EQ(i.architecture, "amd64");
    }
    if (i.path.starts_with("main/binary-amd64/Packages")) {
      EXPECT_EQ(i.kind, IndexKind::kPackages);
      EXPECT_EQ(i.base, "main/binary-amd64/Packages");
      EXPECT_EQ(i.component, "main");
      EXPECT_EQ(i.architecture, "amd64");
    }
  }
}

TEST(SelectIndexes, SourcesAndArchitectureAllOnRequest) {
  Result<std::vector<SelectedIndex>> s = SelectIndexes(
      DebianLike(), {.components = {"main"}, .architectures = {"all"}, .sources = true}, "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::string> paths = Paths(*s);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"main/Contents-source.gz", "main/binary-all/Packages.xz",
                                      "main/dep11/icons-64x64.tar.gz", "main/i18n/Index",
                                      "main/i18n/Translation-en.bz2", "main/source/Release",
                                      "main/source/Sources.xz"}));
}

TEST(SelectIndexes, DefaultsToEverythingTheReleaseNames) {
  Result<std::vector<SelectedIndex>> s = SelectIndexes(DebianLike(), {}, "t");
  ASSERT_TRUE(s.ok());
  std::vector<std::string> paths = Paths(*s);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "contrib/binary-amd64/Packages.xz"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "main/binary-arm64/Packages.xz"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "main/debian-installer/binary-arm64/Packages.xz"),
            paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "main/dep11/Components-arm64.yml.gz"),
            paths.end());
  // Not taken: installer images (opt-in), compressions apt here cannot read.
  for (const std::string& p : paths) {
    EXPECT_EQ(p.find("installer-amd64"), std::string::npos) << p;
    EXPECT_FALSE(p.ends_with(".zst")) << p;
  }
}

TEST(SelectIndexes, PartsLeftOutOnPurpose) {
  Result<std::vector<IndexPart>> parts =
      ParseIndexParts({"dep11", "cnf", "installer", "i18n", "contents"}, "t");
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  Result<std::vector<SelectedIndex>> s = SelectIndexes(
      DebianLike(), {.components = {"main"}, .architectures = {"amd64"}, .without = *parts}, "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Paths(*s), (std::vector<std::string>{
                           "main/binary-amd64/Packages", "main/binary-amd64/Packages.gz",
                           "main/binary-amd64/Packages.xz", "main/binary-amd64/Release"}));
  // udeb: the udebs and Contents-udeb go, the installer's indexes stay.
  Result<std::vector<SelectedIndex>> u = SelectIndexes(
      DebianLike(),
      {.components = {"main"}, .architectures = {"amd64"}, .without = {IndexPart::kUdeb}}, "t");
  ASSERT_TRUE(u.ok());
  std::vector<std::string> paths = Paths(*u);
  EXPECT_EQ(std::find(paths.begin(), paths.end(), "main/Contents-udeb-amd64.gz"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "main/debian-installer/binary-amd64/Packages.xz"),
            paths.end());
}

TEST(SelectIndexes, InstallerImagesOnlyOnRequest) {
  Release r = DebianLike();
  r.files["main/installer-amd64/20230607/images/SHA256SUMS"] = {.size = 1,
                                                                .sha256 = std::string(64, 'd')};
  r.files["main/installer-amd64/20230607/images/MD5SUMS"] = {.size = 1,
                                                             .sha256 = std::string(64, 'e')};
  r.files["main/installer-arm64/current/images/SHA256SUMS"] = {.size = 1,
                                                               .sha256 = std::string(64, 'f')};
  Result<std::vector<SelectedIndex>> s =
      SelectIndexes(r, {.architectures = {"amd64"}, .installer_images = true}, "t");
  ASSERT_TRUE(s.ok());
  std::vector<std::string> images;
  for (const SelectedIndex& i : *s) {
    if (i.path.find("installer-") != std::string::npos) images.push_back(i.path);
    if (i.path.ends_with("/SHA256SUMS")) {
      EXPECT_EQ(i.kind, IndexKind::kInstallerImages);
    }
  }
  EXPECT_EQ(images, (std::vector<std::string>{"main/installer-amd64/20230607/images/MD5SUMS",
                                              "main/installer-amd64/20230607/images/SHA256SUMS",
                                              "main/installer-amd64/current/images/SHA256SUMS"}));
  Result<std::vector<SelectedIndex>> without =
      SelectIndexes(r, {.without = {IndexPart::kInstaller}, .installer_images = true}, "t");
  ASSERT_TRUE(without.ok());
  for (const SelectedIndex& i : *without) EXPECT_EQ(i.path.find("installer"), std::string::npos);
}

TEST(ParseIndexParts, UnknownWordIsNamedWithTheValidOnes) {
  Result<std::vector<IndexPart>> p = ParseIndexParts({"dep11", "appstream"}, "mirror x: without");
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(),
            "mirror x: without: unknown part 'appstream' to leave out (valid: dep11, cnf, "
            "installer, i18n, udeb, contents)");
  Result<std::vector<IndexPart>> twice = ParseIndexParts({"udeb", "cnf", "udeb"}, "t");
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*twice, (std::vector<IndexPart>{IndexPart::kCnf, IndexPart::kUdeb}));
  EXPECT_EQ(IndexPartWord(IndexPart::kInstaller), "installer");
}

TEST(SelectIndexes, FlatRepositoryTakesTheTopLevelIndexes) {
  Release r;  // a flat Release names no components or architectures
  for (const char* p :
       {"Packages", "Packages.gz", "Sources.xz", "Translation-en", "Contents-amd64", "sub/Other"}) {
    r.files[p] = {.size = 1, .sha256 = std::string(64, 'c')};
  }
  Result<std::vector<SelectedIndex>> s = SelectIndexes(r, {.flat = true}, "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Paths(*s), (std::vector<std::string>{"Contents-amd64", "Packages", "Packages.gz",
                                                 "Translation-en"}));
  EXPECT_EQ((*s)[1].kind, IndexKind::kPackages);
  EXPECT_EQ((*s)[1].base, "Packages");
  Result<std::vector<SelectedIndex>> with_sources =
      SelectIndexes(r, {.sources = true, .flat = true}, "t");
  ASSERT_TRUE(with_sources.ok());
  EXPECT_EQ(with_sources->size(), 5u);
  EXPECT_EQ(SelectIndexes(r, {.components = {"main"}, .flat = true}, "t").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SelectIndexes, UnknownComponentOrArchitectureIsNamed) {
  Result<std::vector<SelectedIndex>> c =
      SelectIndexes(DebianLike(), {.components = {"non-free"}}, "suite x");
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message(),
            "suite x: the suite has no component 'non-free' (it has: main, contrib)");
  Result<std::vector<SelectedIndex>> a =
      SelectIndexes(DebianLike(), {.architectures = {"riscv64"}}, "suite x");
  EXPECT_EQ(a.status().message(),
            "suite x: the suite has no architecture 'riscv64' (it has: amd64, arm64)");
  Release empty = DebianLike();
  empty.files.clear();
  EXPECT_EQ(SelectIndexes(empty, {}, "s").status().code(), StatusCode::kInvalidArgument);
}

TEST(SelectIndexes, NestedComponentNamesMatchTheLongest) {
  Release r;
  r.components = {"updates/main"};
  r.files["updates/main/binary-amd64/Packages.xz"] = {.size = 1, .sha256 = std::string(64, 'b')};
  Result<std::vector<SelectedIndex>> s = SelectIndexes(r, {}, "t");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].component, "updates/main");
  EXPECT_EQ((*s)[0].architecture, "amd64");
}

TEST(PreferredVariant, PlainThenXzThenGzipThenBzip2) {
  SelectedIndex gz{.path = "p/Packages.gz"}, xz{.path = "p/Packages.xz"},
      plain{.path = "p/Packages"}, bz{.path = "p/Packages.bz2"};
  EXPECT_EQ(PreferredVariant({&gz, &xz, &plain, &bz}), &plain);
  EXPECT_EQ(PreferredVariant({&gz, &xz, &bz}), &xz);
  EXPECT_EQ(PreferredVariant({&bz, &gz}), &gz);
  EXPECT_EQ(PreferredVariant({&bz}), &bz);
  EXPECT_EQ(PreferredVariant({}), nullptr);
}

}  // namespace
}  // namespace mv::apt
