// Writing indexes back: paragraphs read back field for field, compressed variants read back,
// and a written Release read back by ParseRelease with the right sizes and hashes.
#include "apt/index_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "apt/release_writer.h"
#include "util/decompress.h"
#include "util/hash.h"

namespace mv::apt {
namespace {

using ::testing::ElementsAre;

constexpr std::string_view kStanzas =
    "Package: hello\nVersion: 2.10-3\nArchitecture: amd64\nDepends: libc6 (>= 2.34)\n"
    "Description: example package based on GNU hello\n The GNU hello program produces a\n .\n"
    " familiar, friendly greeting.\nEmpty:\n\n"
    "Package: hello\nFormat: 3.0 (quilt)\nChecksums-Sha256:\n "
    "aaaa 10 hello_2.10-3.dsc\n bbbb 20 hello_2.10.orig.tar.gz\n";

TEST(IndexWriter, FormatParagraphReadsBackFieldForField) {
  auto paragraphs = ParseParagraphs(kStanzas, "in");
  ASSERT_TRUE(paragraphs.ok()) << paragraphs.status().ToString();
  std::string written;
  for (const Paragraph& p : *paragraphs) written += FormatParagraph(p) + "\n";
  EXPECT_EQ(written, std::string(kStanzas) + "\n");
  auto again = ParseParagraphs(written, "out");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), paragraphs->size());
  for (size_t i = 0; i < again->size(); ++i) {
    ASSERT_EQ((*again)[i].fields().size(), (*paragraphs)[i].fields().size());
    for (size_t k = 0; k < (*again)[i].fields().size(); ++k) {
      EXPECT_EQ((*again)[i].fields()[k].name, (*paragraphs)[i].fields()[k].name);
      EXPECT_EQ((*again)[i].fields()[k].value, (*paragraphs)[i].fields()[k].value);
    }
  }
}

TEST(IndexWriter, CompressedVariantsReadBack) {
  auto files = IndexVariants("main/binary-amd64/Packages", kStanzas);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "main/binary-amd64/Packages");
  EXPECT_EQ((*files)[1].path, "main/binary-amd64/Packages.xz");
  EXPECT_EQ((*files)[2].path, "main/binary-amd64/Packages.gz");
  for (const WrittenFile& f : *files) {
    auto text = Decompress(f.bytes, CompressionFromName(f.path), f.path, 1 << 20);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(*text, kStanzas);
  }
}

TEST(ReleaseWriter, ParseReleaseReadsItBack) {
  Release fields;
  fields.origin = "Debian";
  fields.suite = "stable";
  fields.codename = "bookworm";
  fields.date = "Sat, 10 Jun 2023 08:52:27 UTC";
  fields.architectures = {"amd64", "all"};
  fields.components = {"main"};
  fields.acquire_by_hash = true;
  std::vector<WrittenFile> files = {{"main/source/Sources.xz", "src"},
                                    {"main/binary-amd64/Packages.gz", "packages!"}};
  std::string text = WriteRelease(fields, files);
  EXPECT_EQ(text.find("Valid-Until"), std::string::npos);
  auto back = ParseRelease(text, "written");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << text;
  EXPECT_EQ(back->codename, "bookworm");
  EXPECT_EQ(back->date, fields.date);
  EXPECT_TRUE(back->acquire_by_hash);
  EXPECT_THAT(back->architectures, ElementsAre("amd64", "all"));
  ASSERT_EQ(back->files.size(), 2u);
  EXPECT_EQ(back->files["main/binary-amd64/Packages.gz"].size, 9u);
  EXPECT_EQ(back->files["main/binary-amd64/Packages.gz"].sha256, Sha256Hex("packages!"));
  EXPECT_THAT(ByHashPaths(files),
              ElementsAre("main/source/by-hash/SHA256/" + Sha256Hex("src"),
                          "main/binary-amd64/by-hash/SHA256/" + Sha256Hex("packages!")));
}

}  // namespace
}  // namespace mv::apt
