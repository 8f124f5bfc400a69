// Debian version order: known orderings, and every pair of a varied set checked against
// `dpkg --compare-versions`, the reference.
#include "apt/version.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace mv::apt {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

TEST(Version, KnownOrderings) {
  EXPECT_LT(CompareVersions("1.0~rc1", "1.0"), 0) << "~ sorts before everything";
  EXPECT_LT(CompareVersions("1.0", "1.0+b1"), 0);
  EXPECT_LT(CompareVersions("1.0-1", "1.0-1+deb12u1"), 0);
  EXPECT_LT(CompareVersions("9.9", "1:0.1"), 0) << "the epoch comes first";
  EXPECT_LT(CompareVersions("2.9", "2.10"), 0) << "digits compare as numbers";
  EXPECT_LT(CompareVersions("1.0a", "1.0+"), 0) << "letters before other characters";
  EXPECT_EQ(CompareVersions("0:1.2-3", "1.2-3"), 0);
  EXPECT_EQ(CompareVersions("1.02", "1.2"), 0);
  EXPECT_GT(CompareVersions("2.36-9+deb12u4", "2.36-9+deb12u3"), 0);
}

TEST(Version, AgreesWithDpkgOnEveryPair) {
  const std::vector<std::string> versions = {"0",
                                             "1",
                                             "1.0",
                                             "1.0-1",
                                             "1.0-1+b1",
                                             "1.0-1~bpo12+1",
                                             "1.0~rc1",
                                             "1.0~~",
                                             "1.0~",
                                             "1.0+dfsg",
                                             "1.0+dfsg-2",
                                             "1.0a",
                                             "1.0.1",
                                             "1.00",
                                             "1.0-0.1",
                                             "1:0.9",
                                             "2:0",
                                             "1.2.3-4ubuntu1",
                                             "2.9",
                                             "2.10",
                                             "2.36-9",
                                             "2.36-9+deb12u3",
                                             "10",
                                             "1.0+git20230101",
                                             "1.0-10",
                                             "1.0-9",
                                             "0.0.0",
                                             "3.0~beta2+really2.9",
                                             "7.88.1-10+deb12u5",
                                             "1.0-a",
                                             "1.0-A",
                                             "1.0.",
                                             "1.0+~",
                                             "1.0.~1",
                                             "5.2.15-2+b2",
                                             "1:2.38.1-5",
                                             "252.22-1~deb12u1"};
  testing::TempDir dir;
  const std::string pairs = dir.path() + "/pairs";
  const std::string results = dir.path() + "/results";
  {
    std::ofstream out(pairs);
    for (const std::string& a : versions) {
      for (const std::string& b : versions) out << a << ' ' << b << '\n';
    }
  }
  // One shell for every pair: "a b <|=|>" lines, by dpkg's own comparison.
  const std::string script = dir.path() + "/compare.sh";
  {
    std::ofstream out(script);
    out << "while read a b; do\n"
           "  if dpkg --compare-versions \"$a\" lt \"$b\"; then r='<'\n"
           "  elif dpkg --compare-versions \"$a\" eq \"$b\"; then r='='\n"
           "  else r='>'; fi\n"
           "  echo \"$a $b $r\"\n"
           "done < "
        << pairs << " > " << results << "\n";
  }
  ASSERT_EQ(std::system(("/bin/sh " + script).c_str()), 0);
  std::ifstream in(results);
  std::string a, b, r;
  size_t checked = 0;
  while (in >> a >> b >> r) {
    int expected = r == "<" ? -1 : r == "=" ? 0 : 1;
    EXPECT_EQ(Sign(CompareVersions(a, b)), expected) << a << " vs " << b;
    ++checked;
  }
  EXPECT_EQ(checked, versions.size() * versions.size()) << "dpkg did not answer every pair";
}

}  // namespace
}  // namespace mv::apt
