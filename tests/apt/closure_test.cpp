// The dependency closure over small hand-written indexes: alternatives, virtual packages
// (versioned and not), version constraints, architectures, cycles and missing dependencies.
#include "apt/closure.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace mv::apt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One stanza: "name version arch" plus extra fields.
std::string Stanza(const std::string& name, const std::string& version, const std::string& arch,
                   const std::string& extra = "") {
  return "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch +
         "\nFilename: pool/main/" + name + "_" + version + "_" + arch + ".deb\n" + extra + "\n";
}

struct Fixture {
  PackageUniverse universe;
  Fixture(std::initializer_list<std::string> amd64, std::initializer_list<std::string> all = {}) {
    std::string a, b;
    for (const std::string& s : amd64) a += s;
    for (const std::string& s : all) b += s;
    Status st = universe.AddPackagesIndex(a, "main/binary-amd64/Packages");
    EXPECT_TRUE(st.ok()) << st.ToString();
    st = universe.AddPackagesIndex(b, "main/binary-all/Packages");
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  // "name version arch" of each package in the closure of `names`, sorted.
  std::set<std::string> Close(std::set<std::string> names, bool recommends = false,
                              std::vector<std::string> archs = {"amd64"},
                              std::vector<UnsatisfiedDependency>* unsatisfied = nullptr) {
    auto c = CloseOverDependencies(
        universe, [&](std::string_view n) { return names.count(std::string(n)) != 0; },
        {.architectures = archs, .recommends = recommends});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::set<std::string> out;
    if (!c.ok()) return out;
    for (uint32_t id : c->packages) {
      const UniversePackage& u = universe.packages()[id];
      out.insert(u.package + " " + u.version + " " + u.architecture);
    }
    if (unsatisfied) *unsatisfied = c->unsatisfied;
    return out;
  }
};

TEST(Closure, FollowsDependsAndPreDependsTransitively) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: b\n"),
             Stanza("b", "1", "amd64", "Pre-Depends: c\n"), Stanza("c", "1", "amd64"),
             Stanza("unrelated", "1", "amd64")});
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "b 1 amd64", "c 1 amd64"));
}

TEST(Closure, RecommendsOnlyWhenAsked) {
  Fixture f({Stanza("a", "1", "amd64", "Recommends: r\n"), Stanza("r", "1", "amd64")});
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64"));
  EXPECT_THAT(f.Close({"a"}, true), ElementsAre("a 1 amd64", "r 1 amd64"));
}

TEST(Closure, FirstSatisfiableAlternativeWins) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: missing | y (>= 2) | z | w\n"),
             Stanza("y", "1", "amd64"), Stanza("z", "1", "amd64"), Stanza("w", "1", "amd64")});
  // missing does not exist, y is too old: z, and not w.
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "z 1 amd64"));
}

TEST(Closure, AnAlternativeAlreadyInTheClosureIsKept) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: w\n"),
             Stanza("b", "1", "amd64", "Depends: z | w\n"), Stanza("z", "1", "amd64"),
             Stanza("w", "1", "amd64")});
  EXPECT_THAT(f.Close({"a", "b"}), ElementsAre("a 1 amd64", "b 1 amd64", "w 1 amd64"));
}

TEST(Closure, VersionConstraintsPickTheHighestSatisfyingVersion) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: lib (<< 2.0)\n"), Stanza("lib", "1.5", "amd64"),
             Stanza("lib", "1.9~rc1", "amd64"), Stanza("lib", "2.0", "amd64"),
             Stanza("b", "1", "amd64", "Depends: lib (= 2.0)\n")});
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "lib 1.9~rc1 amd64"));
  EXPECT_THAT(f.Close({"b"}), ElementsAre("b 1 amd64", "lib 2.0 amd64"));
}

TEST(Closure, VirtualPackagesThroughProviders) {
  Fixture f(
      {Stanza("a", "1", "amd64", "Depends: mail-transport-agent\n"),
       Stanza("exim4", "4", "amd64", "Priority: standard\nProvides: mail-transport-agent\n"),
       Stanza("postfix", "3", "amd64", "Priority: optional\nProvides: mail-transport-agent\n")});
  // The more important provider.
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "exim4 4 amd64"));
}

TEST(Closure, AProviderAlreadyInTheClosureIsKept) {
  Fixture f(
      {Stanza("a", "1", "amd64", "Depends: mail-transport-agent\n"),
       Stanza("exim4", "4", "amd64", "Priority: standard\nProvides: mail-transport-agent\n"),
       Stanza("postfix", "3", "amd64", "Priority: optional\nProvides: mail-transport-agent\n")});
  EXPECT_THAT(f.Close({"postfix", "a"}), ElementsAre("a 1 amd64", "postfix 3 amd64"));
}

TEST(Closure, VersionedDependencyNeedsAVersionedProvides) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: v (>= 2)\n"),
             Stanza("plain", "9", "amd64", "Provides: v\n"),
             Stanza("old", "9", "amd64", "Provides: v (= 1)\n"),
             Stanza("good", "9", "amd64", "Provides: v (= 2.5)\n")});
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "good 9 amd64"));
}

TEST(Closure, ARealPackageComesBeforeItsProviders) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: awk\n"), Stanza("awk", "1", "amd64"),
             Stanza("gawk", "5", "amd64", "Priority: required\nProvides: awk\n")});
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "awk 1 amd64"));
}

TEST(Closure, CyclesEnd) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: b\n"), Stanza("b", "1", "amd64", "Depends: c\n"),
             Stanza("c", "1", "amd64", "Pre-Depends: a\n")});
  EXPECT_THAT(f.Close({"c"}), ElementsAre("a 1 amd64", "b 1 amd64", "c 1 amd64"));
}

TEST(Closure, MissingDependenciesAreReportedAndTheWalkGoesOn) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: gone (>= 1) | also-gone, b\n"),
             Stanza("b", "1", "amd64", "Depends: lib (>= 3)\n"), Stanza("lib", "2", "amd64")});
  std::vector<UnsatisfiedDependency> missing;
  EXPECT_THAT(f.Close({"a"}, false, {"amd64"}, &missing), ElementsAre("a 1 amd64", "b 1 amd64"));
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0].package, "a 1 (amd64)");
  EXPECT_EQ(missing[0].field, "Depends");
  EXPECT_EQ(missing[0].group, "gone (>= 1) | also-gone");
  EXPECT_EQ(missing[1].group, "lib (>= 3)");
}

TEST(Closure, ArchitectureAllAndQualifiers) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: data, python3:any, tool:native, only [arm64]\n"),
             Stanza("python3", "3.11", "amd64", "Multi-Arch: allowed\n"),
             Stanza("tool", "1", "amd64"), Stanza("only", "1", "amd64"),
             Stanza("b", "1", "amd64", "Depends: perl:any\n"), Stanza("perl", "5", "amd64")},
            {Stanza("data", "1", "all", "Depends: lib\n")});
  Status st = f.universe.AddPackagesIndex(Stanza("lib", "1", "amd64") + Stanza("lib", "1", "arm64"),
                                          "main/binary-both/Packages");
  ASSERT_TRUE(st.ok()) << st.ToString();
  // data (all) resolves lib on amd64 only; "only [arm64]" does not apply on amd64.
  EXPECT_THAT(f.Close({"a"}), ElementsAre("a 1 amd64", "data 1 all", "lib 1 amd64",
                                          "python3 3.11 amd64", "tool 1 amd64"));
  // perl is not Multi-Arch: allowed, so perl:any is not satisfied by it.
  std::vector<UnsatisfiedDependency> missing;
  EXPECT_THAT(f.Close({"b"}, false, {"amd64"}, &missing), ElementsAre("b 1 amd64"));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].group, "perl:any");
  // An "all" root resolves on each mirrored architecture.
  EXPECT_THAT(f.Close({"data"}, false, {"amd64", "arm64"}),
              ElementsAre("data 1 all", "lib 1 amd64", "lib 1 arm64"));
}

TEST(Closure, ASpecificArchitectureLooksThere) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: libx:i386\n"), Stanza("libx", "1", "amd64")});
  ASSERT_TRUE(f.universe.AddPackagesIndex(Stanza("libx", "1", "i386"), "i386").ok());
  std::vector<UnsatisfiedDependency> missing;
  EXPECT_THAT(f.Close({"a"}, false, {"amd64"}, &missing), ElementsAre("a 1 amd64"));
  EXPECT_EQ(missing.size(), 1u) << "i386 is not mirrored";
  EXPECT_THAT(f.Close({"a"}, false, {"amd64", "i386"}), ElementsAre("a 1 amd64", "libx 1 i386"));
}

TEST(Closure, DuplicateStanzasAcrossIndexesAreKeptOnce) {
  Fixture f({Stanza("d", "1", "all")}, {Stanza("d", "1", "all")});
  EXPECT_EQ(f.universe.packages().size(), 1u);
}

TEST(Closure, BadFieldsAreNamed) {
  Fixture f({Stanza("a", "1", "amd64", "Depends: b (>= )\n"), Stanza("b", "1", "amd64")});
  auto c = CloseOverDependencies(f.universe, [](std::string_view n) { return n == "a"; },
                                 {.architectures = {"amd64"}});
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("Depends of a 1 (amd64) in main/binary-amd64/Packages"));
  PackageUniverse u;
  Status st = u.AddPackagesIndex(Stanza("p", "1", "amd64", "Provides: x (>= 1)\n"), "idx");
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("idx: the paragraph at line 1"));
  EXPECT_THAT(st.message(), HasSubstr("Provides of p 1 (amd64)"));
  auto none = CloseOverDependencies(f.universe, [](std::string_view) { return true; }, {});
  EXPECT_FALSE(none.ok());
}

TEST(Closure, NothingSelectedIsEmpty) {
  Fixture f({Stanza("a", "1", "amd64")});
  EXPECT_THAT(f.Close({}), IsEmpty());
}

}  // namespace
}  // namespace mv::apt
