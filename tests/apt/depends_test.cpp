// The relationship-field parser: the syntax of Debian Policy 7.1 as real indexes use it, and
// refusals that name the field and the package.
#include "apt/depends.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mv::apt {
namespace {

using ::testing::HasSubstr;

std::vector<DependencyGroup> Parse(std::string_view text) {
  auto r = ParseDependencies(text, "Depends", "p 1 (amd64)");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<DependencyGroup>{};
}

TEST(Depends, EmptyAndBlankValuesHaveNoGroups) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse(" \n ").empty());
}

TEST(Depends, GroupsAlternativesAndVersions) {
  auto g = Parse("libc6 (>= 2.34), default-mta | mail-transport-agent,\n libfoo1 (<< 2:1.0~rc1-1)");
  ASSERT_EQ(g.size(), 3u);
  ASSERT_EQ(g[0].size(), 1u);
  EXPECT_EQ(g[0][0].package, "libc6");
  EXPECT_EQ(g[0][0].relation, Relation::kLaterEqual);
  EXPECT_EQ(g[0][0].version, "2.34");
  ASSERT_EQ(g[1].size(), 2u);
  EXPECT_EQ(g[1][0].package, "default-mta");
  EXPECT_EQ(g[1][0].relation, Relation::kAny);
  EXPECT_EQ(g[1][1].package, "mail-transport-agent");
  EXPECT_EQ(g[2][0].relation, Relation::kEarlier);
  EXPECT_EQ(g[2][0].version, "2:1.0~rc1-1");
}

TEST(Depends, EveryRelationWithOrWithoutBlanks) {
  struct Case {
    const char* text;
    Relation relation;
  } cases[] = {{"a (<< 1)", Relation::kEarlier},  {"a (<=1)", Relation::kEarlierEqual},
               {"a(= 1)", Relation::kEqual},      {"a ( >= 1 )", Relation::kLaterEqual},
               {"a (>>1)", Relation::kLater},     {"a (< 1)", Relation::kEarlierEqual},
               {"a (> 1)", Relation::kLaterEqual}};
  for (const Case& c : cases) {
    auto g = Parse(c.text);
    ASSERT_EQ(g.size(), 1u) << c.text;
    EXPECT_EQ(g[0][0].relation, c.relation) << c.text;
    EXPECT_EQ(g[0][0].version, "1") << c.text;
  }
}

TEST(Depends, ArchitectureQualifiersRestrictionsAndProfiles) {
  auto g = Parse(
      "python3:any (>= 3.11), gcc:native, libc6:amd64, "
      "foo [amd64 !i386] <!nocheck> <stage1 cross>, bar [linux-any]");
  ASSERT_EQ(g.size(), 5u);
  EXPECT_EQ(g[0][0].package, "python3");
  EXPECT_EQ(g[0][0].arch_qualifier, "any");
  EXPECT_EQ(g[0][0].version, "3.11");
  EXPECT_EQ(g[1][0].arch_qualifier, "native");
  EXPECT_EQ(g[2][0].arch_qualifier, "amd64");
  EXPECT_EQ(g[3][0].arch_restrictions, (std::vector<std::string>{"amd64", "!i386"}));
  EXPECT_EQ(g[3][0].profile_formulas, (std::vector<std::string>{"!nocheck", "stage1 cross"}));
  EXPECT_EQ(ToString(g[3][0]), "foo [amd64 !i386] <!nocheck> <stage1 cross>");
  EXPECT_EQ(ToString(g[0][0]), "python3:any (>= 3.11)");
}

TEST(Depends, ArchRestrictions) {
  EXPECT_TRUE(ArchRestrictionAdmits({}, "amd64"));
  EXPECT_TRUE(ArchRestrictionAdmits({"amd64", "arm64"}, "amd64"));
  EXPECT_FALSE(ArchRestrictionAdmits({"arm64"}, "amd64"));
  EXPECT_FALSE(ArchRestrictionAdmits({"!amd64"}, "amd64"));
  EXPECT_TRUE(ArchRestrictionAdmits({"!i386"}, "amd64"));
  EXPECT_TRUE(ArchRestrictionAdmits({"linux-any"}, "amd64"));
  EXPECT_TRUE(ArchRestrictionAdmits({"any-amd64"}, "amd64"));
  EXPECT_FALSE(ArchRestrictionAdmits({"hurd-any"}, "amd64"));
  EXPECT_FALSE(ArchRestrictionAdmits({"!linux-any"}, "arm64"));
}

TEST(Depends, SatisfiesUsesDebianVersionOrder) {
  EXPECT_TRUE(Satisfies("2.36-9+deb12u4", Relation::kLaterEqual, "2.34"));
  EXPECT_FALSE(Satisfies("1.0~rc1", Relation::kLaterEqual, "1.0"));
  EXPECT_TRUE(Satisfies("1.0~rc1", Relation::kEarlier, "1.0"));
  EXPECT_TRUE(Satisfies("1:0.1", Relation::kLater, "9.9"));
  EXPECT_TRUE(Satisfies("1.02", Relation::kEqual, "1.2"));
  EXPECT_FALSE(Satisfies("1.2", Relation::kLater, "1.2"));
  EXPECT_TRUE(Satisfies("1.2", Relation::kEarlierEqual, "1.2"));
  EXPECT_TRUE(Satisfies("anything", Relation::kAny, ""));
}

TEST(Depends, ProvidesWithAndWithoutVersions) {
  auto p = ParseProvides("mail-transport-agent, libfoo-abi (= 3), python3-foo:any", "exim4");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[1].relation, Relation::kEqual);
  EXPECT_EQ((*p)[1].version, "3");
  auto alt = ParseProvides("a | b", "exim4");
  ASSERT_FALSE(alt.ok());
  EXPECT_THAT(alt.status().message(), HasSubstr("Provides of exim4"));
  auto ge = ParseProvides("a (>= 1)", "exim4");
  ASSERT_FALSE(ge.ok());
  EXPECT_THAT(ge.status().message(), HasSubstr("'='"));
}

TEST(Depends, RefusalsNameFieldPackageAndPlace) {
  for (const char* bad :
       {"a, , b", "a |", "| a", "a,", "a (>= )", "a (>= 1", "a (~ 1)", "a (>= 1 2)", "a [amd64",
        "a []", "a <!nocheck", "a b", "a:", "a (>= 1) extra", "a ) b", "é"}) {
    auto r = ParseDependencies(bad, "Pre-Depends", "hello 2.10-3 (amd64)");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("Pre-Depends of hello 2.10-3 (amd64)")) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("at offset")) << bad;
  }
}

}  // namespace
}  // namespace mv::apt
