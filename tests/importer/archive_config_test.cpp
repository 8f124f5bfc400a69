// The [[archive]] sections as `mirror ARCHIVE` and the job service read them: every key reaches
// MirrorOptions, and the refusals name the file, the line and what was wrong.
#include "importer/archive_config.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "util/toml_reader.h"

namespace mv::importer {
namespace {

constexpr std::array<std::string_view, 1> kJobKeys = {"every"};

Result<std::optional<MirrorOptions>> Find(const std::string& toml, const std::string& name) {
  Result<ConfigValue> doc = ParseToml(toml, "mirrorvault.toml");
  if (!doc.ok()) return doc.status();
  return FindArchiveConfig(*doc, name, kJobKeys);
}

TEST(ArchiveConfigTest, EveryKeyReachesTheMirrorOptions) {
  auto found = Find(R"([[archive]]
name = "debian"
upstream = "http://deb.example/debian"
suites = ["bookworm", "./"]
components = ["main"]
archs = ["amd64", "all"]
sources = true
keyring = "/k.gpg"
packages = ["hello"]
without = ["dep11", "cnf"]
installer_images = true
filter_with_deps = true
with_recommends = true
signing_key = "0xABCD"
gnupg_home = "/etc/mirrorvault/gnupg"
concurrency = 8
every = "6h"

[[archive]]
name = "other"
upstream = "http://other.example/"
)",
                    "debian");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  const MirrorOptions& o = **found;
  EXPECT_EQ(o.upstream, "http://deb.example/debian");
  EXPECT_EQ(o.suites, (std::vector<std::string>{"bookworm", "./"}));
  EXPECT_TRUE(o.sources);
  EXPECT_EQ(o.without, (std::vector<std::string>{"dep11", "cnf"}));
  EXPECT_TRUE(o.installer_images);
  EXPECT_TRUE(o.filter_with_deps);
  EXPECT_TRUE(o.with_recommends);
  EXPECT_EQ(o.signing_key.key, "0xABCD");
  EXPECT_EQ(o.signing_key.gnupg_home, "/etc/mirrorvault/gnupg");
  EXPECT_EQ(o.concurrency, 8u);

  auto absent = Find("[[archive]]\nname = \"debian\"\nupstream = \"http://x/\"\n", "ubuntu");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
}

TEST(ArchiveConfigTest, AnUnknownPartToLeaveOutIsRefusedAtItsLine) {
  auto found = Find(R"([[archive]]
name = "debian"
upstream = "http://deb.example/debian"
without = ["dep11", "pictures"]
)",
                    "debian");
  ASSERT_FALSE(found.ok());
  const std::string m(found.status().message());
  EXPECT_NE(m.find("mirrorvault.toml"), std::string::npos) << m;
  EXPECT_NE(m.find("4"), std::string::npos) << m;
  EXPECT_NE(m.find("pictures"), std::string::npos) << m;
  EXPECT_NE(m.find("contents"), std::string::npos) << "the valid words are listed: " << m;
}

TEST(ArchiveConfigTest, AnUnknownKeyAndAWrongTypeAreRefused) {
  auto unknown =
      Find("[[archive]]\nname = \"debian\"\nupstream = \"http://x/\"\nfilter_with_dep = true\n",
           "debian");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("filter_with_dep"), std::string::npos)
      << unknown.status().message();
  auto wrong =
      Find("[[archive]]\nname = \"debian\"\nupstream = \"http://x/\"\nwith_recommends = \"yes\"\n",
           "debian");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("with_recommends"), std::string::npos)
      << wrong.status().message();
}

}  // namespace
}  // namespace mv::importer
