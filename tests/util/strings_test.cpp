#include "util/strings.h"

#include <gtest/gtest.h>

namespace mv {
namespace {

TEST(StringsTest, Join) {
  EXPECT_EQ(Join({}), "");
  EXPECT_EQ(Join({"a"}), "a");
  EXPECT_EQ(Join({"a", "b", "c"}), "a,b,c");
  EXPECT_EQ(Join({"a", "", "c"}, ", "), "a, , c");
}

TEST(StringsTest, Trim) {
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t\r\n"), "");
  EXPECT_EQ(Trim("  a b\t\r\n"), "a b");
  EXPECT_EQ(Trim("x"), "x");
}

TEST(StringsTest, LowerIsAsciiOnly) {
  EXPECT_EQ(Lower("AbC-Z09"), "abc-z09");
  EXPECT_EQ(Lower("\xC3\x89"), "\xC3\x89");  // UTF-8 É is left as it is
  EXPECT_EQ(LowerAscii('Q'), 'q');
  EXPECT_EQ(LowerAscii('@'), '@');
}

TEST(StringsTest, NearestNameSuggestsOnlyNearMisses) {
  const std::vector<std::string_view> names = {"ls", "runs", "import", "mirror"};
  EXPECT_EQ(NearestName("lss", names), "ls");
  EXPECT_EQ(NearestName("rnus", names), "runs");
  EXPECT_EQ(NearestName("imprt", names), "import");
  EXPECT_EQ(NearestName("bogus", names), "");
  EXPECT_EQ(NearestName("x", names), "");  // two edits from "ls", but "ls" has only two letters
  EXPECT_EQ(NearestName("ls", {}), "");
}

TEST(StringsTest, BaseName) {
  EXPECT_EQ(BaseName("pool/main/h/hello/hello_1.0.deb"), "hello_1.0.deb");
  EXPECT_EQ(BaseName("file"), "file");
  EXPECT_EQ(BaseName("dir/"), "");
  EXPECT_EQ(BaseName(""), "");
}

}  // namespace
}  // namespace mv
