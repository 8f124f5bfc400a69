// deb822 paragraphs, Release files, Packages and Sources: what they yield, and the clear error
// (source and line) for each malformed input.
#include "apt/deb822.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "apt/indexes.h"
#include "apt/paragraph_diff.h"
#include "apt/release.h"
#include "support/status_assert.h"

namespace mv::apt {
namespace {

using ::testing::HasSubstr;

constexpr char kSha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Status ErrorOf(std::string_view text) { return ParseParagraphs(text, "dists/x/Packages").status(); }

TEST(Deb822, FieldsValuesAndContinuations) {
  auto paras = ParseParagraphs(
      "Package: hello\r\nVersion:  2.10-3 \nDescription: greets\n a second line \n\t.\n"
      "\n \t\n\nPackage: two\nempty:\n",
      "here");
  MV_ASSERT_OK(paras);
  ASSERT_EQ(paras->size(), 2u);
  const Paragraph& first = (*paras)[0];
  EXPECT_EQ(first.line(), 1u);
  EXPECT_EQ(first.Get("package"), "hello") << "names are matched in any case";
  EXPECT_EQ(first.Get("VERSION"), "2.10-3");
  EXPECT_EQ(first.Get("Description"), "greets\n a second line\n\t.");
  EXPECT_EQ(first.Find("Description")->line, 3u);
  EXPECT_FALSE(first.Get("Missing").has_value());
  const Paragraph& second = (*paras)[1];
  EXPECT_EQ(second.line(), 9u);
  EXPECT_EQ(second.Get("Empty"), "");
  Status missing = second.Require("Empty", "dists/x/Packages").status();
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("line 9 has an empty Empty field"));
  EXPECT_THAT(second.Require("Version", "dists/x/Packages").status().message(),
              HasSubstr("dists/x/Packages: the paragraph at line 9 has no Version field"));
}

TEST(Deb822, EmptyTextHasNoParagraphs) {
  auto paras = ParseParagraphs("\n\n  \n", "here");
  MV_ASSERT_OK(paras);
  EXPECT_TRUE(paras->empty());
}

TEST(Deb822, MalformedLinesNameTheSourceAndLine) {
  EXPECT_THAT(ErrorOf("Package: a\nno colon here\n").message(),
              HasSubstr("dists/x/Packages line 2: \"no colon here\" is not a field"));
  EXPECT_THAT(ErrorOf(" starts with a blank\n").message(),
              HasSubstr("line 1: \" starts with a blank\" continues a field, but no field"));
  EXPECT_THAT(ErrorOf("A: 1\n\n continued\n").message(), HasSubstr("line 3:"));
  EXPECT_THAT(ErrorOf("A: 1\nB: 2\na: 3\n").message(),
              HasSubstr("line 3: the field a is given twice (first at line 1)"));
  EXPECT_THAT(ErrorOf(": value\n").message(), HasSubstr("line 1: \": value\" has no field name"));
  EXPECT_THAT(ErrorOf("Two words: x\n").message(), HasSubstr("contains a blank"));
  EXPECT_THAT(ErrorOf(std::string_view("A: 1\nB: x\0y\n", 12)).message(),
              HasSubstr("line 2: a NUL byte"));
  EXPECT_THAT(ErrorOf("<html>\n<body>\n").message(), HasSubstr("line 1: \"<html>\" is not a field"))
      << "HTML served as an index";
  EXPECT_EQ(ErrorOf("A: 1\nno colon").code(), StatusCode::kInvalidArgument);
}

TEST(Deb822, VisitorErrorsStopTheWalk) {
  int seen = 0;
  Status st = ForEachParagraph("A: 1\n\nA: 2\n\nA: 3\n", "here", [&](const Paragraph& p) {
    ++seen;
    return p.Get("A") == "2" ? InvalidArgument("stop at 2") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "stop at 2");
  EXPECT_EQ(seen, 2);
}

// ScanParagraphs finds the paragraphs ForEachParagraph finds, with the fields asked for read as
// it reads them, and the text and first line of each (a paragraph parsed alone from its text and
// line gives the same values and line numbers).
TEST(Deb822, ScanFindsParagraphsAndTheFieldsAsked) {
  const std::string text =
      "Package: a\r\nversion:  1.0 \nDescription: x\n more\n\n \t\n"
      "Package: b\nVersion: 2\n\n\nPackage: c\n";
  const std::string_view names[] = {"Package", "Version"};
  std::vector<std::string> seen;
  ASSERT_TRUE(ScanParagraphs(text, "here", names, [&](const ScannedParagraph& p) {
                seen.push_back(std::string(p.values[0]) + "=" + std::string(p.values[1]) + "@" +
                               std::to_string(p.line) + ":" + std::string(p.text));
                size_t line = 0;
                EXPECT_TRUE(ForEachParagraph(
                                p.text, "here",
                                [&](const Paragraph& alone) {
                                  line = alone.line();
                                  EXPECT_EQ(alone.Get("Package"), p.values[0]);
                                  return Status::Ok();
                                },
                                p.line)
                                .ok());
                EXPECT_EQ(line, p.line);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "a=1.0@1:Package: a\r\nversion:  1.0 \nDescription: x\n more\n",
                      "b=2@7:Package: b\nVersion: 2\n", "c=@11:Package: c\n"}));
}

TEST(Deb822, ScanRefusesWhatItCouldReadOtherwise) {
  const std::string_view names[] = {"Package", "Version"};
  auto error = [&](std::string_view text) {
    return ScanParagraphs(text, "dists/x/Packages", names,
                          [](const ScannedParagraph&) { return Status::Ok(); });
  };
  EXPECT_THAT(
      error("Package: a\nVersion: 1\npackage: b\n").message(),
      HasSubstr("dists/x/Packages line 3: the field package is given twice (first at line 1)"));
  EXPECT_THAT(error("Package: a\nVersion: 1\n 2\n").message(),
              HasSubstr("line 3: the field Version is continued on a further line"));
  EXPECT_THAT(error(std::string_view("Package: a\n\nB: \0\n", 17)).message(),
              HasSubstr("line 3: a NUL byte"));
  // The fields not asked for are not checked: ForEachParagraph refuses them.
  EXPECT_TRUE(error("Package: a\nno colon\nDescription: x\n y\n").ok());
}

// Paragraphs are matched by their exact text; one given twice counts twice.
TEST(Deb822, DiffFindsTheParagraphsAddedAndRemoved) {
  const std::string before = "Package: a\n\nPackage: b\nX: 1\n\nPackage: c\n\nPackage: c\n";
  const std::string after = "Package: b\nX: 2\n\nPackage: a\n\nPackage: c\n\nPackage: d\n";
  const std::string_view names[] = {"Package"};
  std::vector<std::string> each;
  auto diff = DiffParagraphs(before, "old", after, "new", names,
                             [&](bool now, std::span<const std::string_view> v) {
                               each.push_back((now ? "+" : "-") + std::string(v[0]));
                             });
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  auto shown = [](const std::vector<DiffedParagraph>& ps) {
    std::vector<std::string> out;
    for (const DiffedParagraph& p : ps)
      out.push_back(std::string(p.values[0]) + "@" + std::to_string(p.line));
    return out;
  };
  EXPECT_EQ(shown(diff->added), (std::vector<std::string>{"b@1", "d@8"}));
  EXPECT_EQ(shown(diff->removed), (std::vector<std::string>{"b@3", "c@6"}));
  EXPECT_EQ(each, (std::vector<std::string>{"-a", "-b", "-c", "-c", "+b", "+a", "+c", "+d"}));
  EXPECT_EQ(diff->added[0].text, "Package: b\nX: 2\n");
  auto bad = DiffParagraphs(before, "old", "Package: a\npackage: b\n", "new", names);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("new line 2"));
}

TEST(Deb822, WordsAndLines) {
  EXPECT_EQ(Words(" amd64  arm64\n\tall "),
            (std::vector<std::string_view>{"amd64", "arm64", "all"}));
  EXPECT_TRUE(Words("  ").empty());
  EXPECT_EQ(Lines("\n a b \n\n c"), (std::vector<std::string_view>{"a b", "c"}));
}

std::string ReleaseText(const std::string& sha_list) {
  return "Origin: Test\nLabel: Test\nSuite: stable\nCodename: bookworm\n"
         "Date: Sat, 10 Jun 2023 08:00:00 UTC\nArchitectures: amd64 arm64\n"
         "Components: main contrib\nAcquire-By-Hash: yes\nMD5Sum:\n"
         " d41d8cd98f00b204e9800998ecf8427e 0 main/binary-amd64/Packages\nSHA256:\n" +
         sha_list;
}

TEST(Release, ReadsFieldsAndTheSha256List) {
  auto r =
      ParseRelease(ReleaseText(std::string(" ") + kSha + " 1234 main/binary-amd64/Packages\n " +
                               kSha + "   99 main/binary-amd64/Packages.xz\n"),
                   "dists/stable/InRelease");
  MV_ASSERT_OK(r);
  EXPECT_EQ(r->origin, "Test");
  EXPECT_EQ(r->suite, "stable");
  EXPECT_EQ(r->codename, "bookworm");
  EXPECT_EQ(r->date, "Sat, 10 Jun 2023 08:00:00 UTC");
  EXPECT_EQ(r->architectures, (std::vector<std::string>{"amd64", "arm64"}));
  EXPECT_EQ(r->components, (std::vector<std::string>{"main", "contrib"}));
  EXPECT_TRUE(r->acquire_by_hash);
  ASSERT_EQ(r->files.size(), 2u);
  EXPECT_EQ(r->files.at("main/binary-amd64/Packages").size, 1234u);
  EXPECT_EQ(r->files.at("main/binary-amd64/Packages.xz").sha256, kSha);
}

TEST(Release, RefusesWhatCannotBeTrusted) {
  auto error = [](const std::string& text) {
    return ParseRelease(text, "dists/stable/Release").status();
  };
  EXPECT_THAT(error("Suite: stable\nMD5Sum:\n d41d8cd98f00b204e9800998ecf8427e 0 x\n").message(),
              HasSubstr("dists/stable/Release: no SHA256 list"));
  EXPECT_THAT(error(ReleaseText(" nothex 1 main/x\n")).message(),
              HasSubstr("dists/stable/Release line 12: SHA256 entry has a hash that is not 64"));
  EXPECT_THAT(error(ReleaseText(std::string(" ") + kSha + " -1 main/x\n")).message(),
              HasSubstr("has a size that is not a number: -1"));
  EXPECT_THAT(error(ReleaseText(std::string(" ") + kSha + " 1\n")).message(),
              HasSubstr("is not \"hash size name\""));
  for (const char* path : {"../../etc/passwd", "/etc/passwd", "main//x", "main/./x"}) {
    EXPECT_THAT(error(ReleaseText(std::string(" ") + kSha + " 1 " + path + "\n")).message(),
                HasSubstr(std::string("names a path outside the suite: ") + path));
  }
  EXPECT_THAT(
      error(ReleaseText(std::string(" ") + kSha + " 1 main/x\n " + kSha + " 2 main/x\n")).message(),
      HasSubstr("lists main/x twice, differently"));
  EXPECT_THAT(error("A: 1\n\nB: 2\n").message(), HasSubstr("one paragraph; this has 2"));
}

TEST(Release, DatesAsDebianAndAptFtparchiveWriteThem) {
  using std::chrono::system_clock;
  auto at = [](std::string_view text) {
    auto t = ParseReleaseDate(text);
    EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    return t.ok() ? system_clock::to_time_t(*t) : 0;
  };
  EXPECT_EQ(at("Sat, 10 Jun 2023 08:52:27 UTC"), 1686387147);
  EXPECT_EQ(at("Sat, 10 Jun 2023 08:52:27 +0000"), 1686387147);
  EXPECT_EQ(at("Sat, 10 Jun 2023 08:52:27 GMT"), 1686387147);
  EXPECT_EQ(at("Sat, 10 Jun 2023 10:52:27 +0200"), 1686387147);
  EXPECT_EQ(at("Sat, 10 Jun 2023 07:22:27 -0130"), 1686387147);
  for (const char* bad : {"", "yesterday", "Sat, 10 Jun 2023", "Sat, 10 Jun 2023 08:52:27 CEST",
                          "Sat, 10 Jun 2023 08:52:27 +2500", "Sat, 32 Jun 2023 08:52:27 UTC"}) {
    EXPECT_FALSE(ParseReleaseDate(bad).ok()) << bad;
  }
}

TEST(Indexes, BinaryPackagesAndTheirSource) {
  std::string text =
      std::string("Package: hello\nVersion: 2.10-3\nArchitecture: amd64\n") +
      "Filename: pool/main/h/hello/hello_2.10-3_amd64.deb\nSize: 53000\nSHA256: " + kSha +
      "\n\nPackage: libfoo1\nSource: foo (1.2-1)\nVersion: 1.2-1+b1\n" +
      "Architecture: arm64\nFilename: pool/main/f/foo/libfoo1.deb\nSize: 7\n" + "SHA256: " + kSha +
      "\n";
  std::vector<BinaryPackage> got;
  MV_ASSERT_OK(ForEachBinaryPackage(text, "Packages", [&](const BinaryPackage& b) {
    got.push_back(b);
    return Status::Ok();
  }));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].source, "hello");
  EXPECT_EQ(got[0].source_version, "2.10-3");
  EXPECT_EQ(got[0].file, (PoolFile{"pool/main/h/hello/hello_2.10-3_amd64.deb", 53000, kSha}));
  EXPECT_EQ(got[1].package, "libfoo1");
  EXPECT_EQ(got[1].source, "foo");
  EXPECT_EQ(got[1].source_version, "1.2-1");
  EXPECT_EQ(got[1].architecture, "arm64");
}

TEST(Indexes, MalformedBinaryPackagesAreRefused) {
  auto error = [](const std::string& extra, const std::string& filename = "pool/a.deb") {
    std::string text =
        "Package: a\nVersion: 1\nArchitecture: all\nFilename: " + filename + "\n" + extra;
    return ForEachBinaryPackage(text, "main/binary-all/Packages",
                                [](const BinaryPackage&) { return Status::Ok(); });
  };
  EXPECT_THAT(error(std::string("SHA256: ") + kSha + "\n").message(),
              HasSubstr("main/binary-all/Packages: the paragraph at line 1 has no Size field"));
  EXPECT_THAT(error(std::string("Size: 1\nSHA256: ") + kSha + "\n", "../../x.deb").message(),
              HasSubstr("Filename leaves the archive: ../../x.deb"));
  EXPECT_THAT(error(std::string("Size: 1k\nSHA256: ") + kSha + "\n").message(),
              HasSubstr("Size is not a number: 1k"));
  EXPECT_THAT(error("Size: 1\nSHA256: abc\n").message(), HasSubstr("SHA256 is not 64 hex digits"));
  EXPECT_THAT(error(std::string("Size: 1\nSource: a b c\nSHA256: ") + kSha + "\n").message(),
              HasSubstr("Source is not \"name\" or \"name (version)\""));
}

TEST(Indexes, PoolFilesAloneAreTheFilesOfTheFullParse) {
  const std::string text =
      std::string("Package: a\nVersion: 1\nArchitecture: all\n") +
      "Description: x\n y\n z\nFilename: pool/a.deb\nSize: 10\nSHA256: " + kSha +
      "\n\nPackage: b\nSource: c (2)\nVersion: 2\n" +
      "Architecture: amd64\nFilename: pool/c/b.deb\nSize: 20\nSHA256: " + kSha + "\n";
  std::vector<std::pair<std::string, PoolFile>> full, alone;
  MV_ASSERT_OK(ForEachBinaryPackage(text, "Packages", [&](const BinaryPackage& b) {
    full.emplace_back(b.package, b.file);
    return Status::Ok();
  }));
  MV_ASSERT_OK(ForEachBinaryPoolFile(text, "Packages", [&](std::string_view p, const PoolFile& f) {
    alone.emplace_back(std::string(p), f);
    return Status::Ok();
  }));
  ASSERT_EQ(full.size(), 2u);
  EXPECT_EQ(alone, full);
  // The fields it reads are checked as the full parse checks them.
  auto error = [](const std::string& fields) {
    return ForEachBinaryPoolFile("Package: a\n" + fields, "main/binary-all/Packages",
                                 [](std::string_view, const PoolFile&) { return Status::Ok(); })
        .message();
  };
  EXPECT_THAT(error(std::string("Filename: pool/a.deb\nSHA256: ") + kSha + "\n"),
              HasSubstr("main/binary-all/Packages: the paragraph at line 1 has no (or an empty) "
                        "Size field"));
  EXPECT_THAT(error(std::string("Filename: ../x.deb\nSize: 1\nSHA256: ") + kSha + "\n"),
              HasSubstr("Filename leaves the archive: ../x.deb"));
  EXPECT_THAT(error(std::string("Filename: a.deb\nSize: 1k\nSHA256: ") + kSha + "\n"),
              HasSubstr("Size is not a number: 1k"));
  EXPECT_THAT(error("Filename: a.deb\nSize: 1\nSHA256: abc\n"),
              HasSubstr("SHA256 is not 64 hex digits"));
}

TEST(Indexes, SourcePackagesListTheirFiles) {
  std::string text =
      std::string("Package: hello\nVersion: 2.10-3\nDirectory: pool/main/h/hello\n") +
      "Checksums-Sha256:\n " + kSha + " 1200 hello_2.10-3.dsc\n " + kSha +
      " 725946 hello_2.10.orig.tar.gz\n";
  std::vector<SourcePackage> got;
  MV_ASSERT_OK(ForEachSourcePackage(text, "Sources", [&](const SourcePackage& s) {
    got.push_back(s);
    return Status::Ok();
  }));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].files,
            (std::vector<PoolFile>{{"pool/main/h/hello/hello_2.10-3.dsc", 1200, kSha},
                                   {"pool/main/h/hello/hello_2.10.orig.tar.gz", 725946, kSha}}));
  Status escaping = ForEachSourcePackage(
      std::string("Package: a\nVersion: 1\nDirectory: pool/a\nChecksums-Sha256:\n ") + kSha +
          " 1 ../b.dsc\n",
      "Sources", [](const SourcePackage&) { return Status::Ok(); });
  EXPECT_THAT(escaping.message(), HasSubstr("names a file outside its folder: ../b.dsc"));
}

}  // namespace
}  // namespace mv::apt
