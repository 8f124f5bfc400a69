// Our deb822 reader checked against libapt-pkg's (pkgTagFile / pkgTagSection) on the same texts:
// the real Release and Packages files in this machine's apt lists (what `apt-get update`
// fetched from Debian), the fuzz corpus, and edge cases of the format. Every paragraph must have
// the same fields, in the same order, with the same values.
//
// Where ours is deliberately different (deb822.h), texts are not compared: ours refuses what apt
// would guess at (a field twice, a line without a colon, a NUL), and takes a line of only blanks
// as a paragraph separator, as Debian Policy 5.1 allows (apt reads it as a continuation line).
#include <apt-pkg/fileutl.h>
#include <apt-pkg/tagfile.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "apt/deb822.h"
#include "apt/signature.h"

namespace mv::apt {
namespace {

namespace fs = std::filesystem;

struct AptField {
  std::string name, value;
};
using AptParagraph = std::vector<AptField>;

// apt's reading of `text` (through a file: pkgTagFile reads a FileFd).
std::vector<AptParagraph> ParseWithApt(const std::string& text) {
  fs::path path = fs::temp_directory_path() / ("mv-deb822-" + std::to_string(::getpid()));
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  std::vector<AptParagraph> out;
  FileFd fd(path.string(), FileFd::ReadOnly, FileFd::None);
  pkgTagFile file(&fd);
  pkgTagSection section;
  while (file.Step(section)) {
    AptParagraph p;
    for (unsigned i = 0; i < section.Count(); ++i) {
      const char* start = nullptr;
      const char* stop = nullptr;
      section.Get(start, stop, i);
      std::string raw(start, stop);
      std::string name = raw.substr(0, raw.find(':'));
      p.push_back({name, section.FindS(name)});
    }
    out.push_back(std::move(p));
  }
  fd.Close();
  fs::remove(path);
  return out;
}

// Compares both readings; returns the number of paragraphs.
size_t ExpectSameReading(const std::string& text, const std::string& what) {
  std::vector<AptParagraph> theirs = ParseWithApt(text);
  Result<std::vector<Paragraph>> ours = ParseParagraphs(text, what);
  EXPECT_TRUE(ours.ok()) << what << ": " << ours.status().ToString();
  if (!ours.ok()) return 0;
  EXPECT_EQ(ours->size(), theirs.size()) << what;
  for (size_t i = 0; i < std::min(ours->size(), theirs.size()); ++i) {
    const auto& a = (*ours)[i].fields();
    const auto& b = theirs[i];
    EXPECT_EQ(a.size(), b.size()) << what << " paragraph " << i;
    for (size_t j = 0; j < std::min(a.size(), b.size()); ++j) {
      EXPECT_EQ(a[j].name, b[j].name) << what << " paragraph " << i;
      EXPECT_EQ(a[j].value, b[j].value) << what << " paragraph " << i << " field " << a[j].name;
    }
    if (::testing::Test::HasFailure()) return i;  // one divergence is enough to read
  }
  return ours->size();
}

std::string ReadWithApt(const fs::path& path) {
  // FileFd::Auto decompresses what apt stores compressed (Packages.lz4).
  FileFd fd(path.string(), FileFd::ReadOnly, FileFd::Extension);
  std::string text;
  char buf[1 << 16];
  unsigned long long got = 0;
  while (fd.Read(buf, sizeof buf, &got) && got > 0) text.append(buf, got);
  return text;
}

TEST(Deb822VersusApt, RealIndexesFromThisMachinesAptLists) {
  const fs::path lists = "/var/lib/apt/lists";
  size_t files = 0, paragraphs = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(lists, ec)) {
    const std::string name = entry.path().filename().string();
    bool release = name.ends_with("_InRelease") || name.ends_with("_Release");
    bool packages =
        name.find("_Packages") != std::string::npos || name.find("_Sources") != std::string::npos;
    if (!release && !packages) continue;
    std::string text = ReadWithApt(entry.path());
    if (name.ends_with("_InRelease")) {
      Result<std::string> signed_text = ClearsignedText(text, name);
      ASSERT_TRUE(signed_text.ok()) << signed_text.status().ToString();
      text = *signed_text;
    }
    paragraphs += ExpectSameReading(text, name);
    ++files;
  }
  // A machine that never ran apt-get update has no lists; the corpus tests below still run.
  std::cout << "compared " << files << " files from " << lists << ", " << paragraphs
            << " paragraphs\n";
}

TEST(Deb822VersusApt, FuzzCorpusAndEdgeCases) {
  std::vector<std::string> texts = {
      "Package: a\nVersion: 1\n",
      "Package: a\n\nPackage: b\n",
      "Package: a\n\n\n\nPackage: b\n\n",
      "Package:   spaced value   \nVersion:1\n",
      "Description: short\n long line one\n .\n long line two\n",
      "Description: short\n\tcontinued with a tab\n",
      "Package: a\r\nVersion: 1\r\n\r\nPackage: b\r\n",
      "SHA256:\n 0123 12 main/binary-amd64/Packages\n 4567 34 main/source/Sources\n",
      "Field-With-Dashes: x\nUPPER: Y\n",
      "Package: a\nEmpty:\nAfter: z\n",
      "Package: a",
  };
  const fs::path corpus = fs::path(MV_SOURCE_DIR) / "fuzz/corpus/deb822";
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  size_t n = 0;
  for (const std::string& t : texts) {
    // Texts ours refuses (stricter than apt by design: deb822.h) are not compared.
    if (!ParseParagraphs(t, "case").ok()) continue;
    ExpectSameReading(t, "case " + std::to_string(n++));
  }
  EXPECT_GE(n, 12u);
}

}  // namespace
}  // namespace mv::apt
