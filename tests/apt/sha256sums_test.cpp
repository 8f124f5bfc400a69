#include "apt/sha256sums.h"

#include <gtest/gtest.h>

#include <string>

namespace mv::apt {
namespace {

const std::string kA(64, 'a'), kB(64, 'B');

TEST(ParseSha256Sums, Sha256sumOutputWithDotSlashPaths) {
  Result<std::vector<Sha256SumsEntry>> s = ParseSha256Sums(
      kA + "  ./netboot/mini.iso\r\n\n" + kB + " *./cdrom/initrd.gz\n" + kA + "  MANIFEST", "t");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].path, "netboot/mini.iso");
  EXPECT_EQ((*s)[0].sha256, kA);
  EXPECT_EQ((*s)[1].path, "cdrom/initrd.gz");
  EXPECT_EQ((*s)[1].sha256, std::string(64, 'b'));  // lower case
  EXPECT_EQ((*s)[2].path, "MANIFEST");
  EXPECT_TRUE(ParseSha256Sums("", "t")->empty());
}

TEST(ParseSha256Sums, BadLinesAreNamed) {
  EXPECT_EQ(ParseSha256Sums(kA + "  ./a\n" + kA + " ./b\n", "images/SHA256SUMS").status().message(),
            "images/SHA256SUMS: line 2: not \"<SHA-256>  <path>\"");
  EXPECT_EQ(ParseSha256Sums(std::string(63, 'a') + "g  ./a\n", "s").status().message(),
            "s: line 1: not a SHA-256 (64 hex digits)");
  for (const char* path : {"../x", "/etc/passwd", "./a//b", "./", "a/../../b"}) {
    EXPECT_EQ(ParseSha256Sums(kA + "  " + path, "s").status().message(),
              "s: line 1: a path that leaves the folder")
        << path;
  }
  EXPECT_EQ(ParseSha256Sums(kA + "  ./a\n" + kB + "  a\n", "s").status().message(),
            "s: line 2: a is listed twice");
}

}  // namespace
}  // namespace mv::apt
