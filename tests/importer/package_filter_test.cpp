#include "importer/package_filter.h"

#include <gtest/gtest.h>

namespace mv::importer {
namespace {

TEST(PackageFilterTest, NeitherNamesNorFilterTakesEveryPackage) {
  auto all = PackageFilter::Make({}, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_FALSE(all->partial());
  EXPECT_TRUE(all->Selected("anything"));
}

TEST(PackageFilterTest, NamesAreTakenExactly) {
  auto named = PackageFilter::Make({"hello", "apt"}, "");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_TRUE(named->partial());
  EXPECT_TRUE(named->Selected("hello"));
  EXPECT_FALSE(named->Selected("hello-dbg"));
}

TEST(PackageFilterTest, TheExpressionMatchesTheWholeName) {
  auto filtered = PackageFilter::Make({}, "lib(c|z)[0-9]+");
  ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
  EXPECT_TRUE(filtered->partial());
  EXPECT_TRUE(filtered->Selected("libc6"));
  EXPECT_TRUE(filtered->Selected("libz1"));
  EXPECT_FALSE(filtered->Selected("libc6-dev"));
  EXPECT_FALSE(filtered->Selected("xlibc6"));
}

TEST(PackageFilterTest, AnInvalidExpressionIsRefused) {
  auto bad = PackageFilter::Make({}, "(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("is not a valid (POSIX extended) regular expression"),
            std::string::npos)
      << bad.status().ToString();
}

}  // namespace
}  // namespace mv::importer
