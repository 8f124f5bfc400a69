#include "util/config_value.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "util/toml_reader.h"

namespace mv {
namespace {

using namespace std::chrono_literals;

ConfigValue Parse(std::string_view text) {
  auto r = ParseToml(text, "test.toml");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ConfigValue();
}

TEST(TomlReaderTest, KindsPathsAndPositions) {
  ConfigValue doc = Parse(
      "zeta = \"last key alphabetically, first in the file\"\n"
      "count = 3\n"
      "ratio = 0.5\n"
      "on = true\n"
      "when = 1979-05-27T07:32:00Z\n"
      "\n"
      "[server]\n"
      "listen = \"127.0.0.1:8080\"\n"
      "\n"
      "[[archive]]\n"
      "name = \"debian\"\n"
      "suites = [\"bookworm\", \"bookworm-updates\"]\n"
      "[[archive]]\n"
      "name = \"ubuntu\"\n");
  ASSERT_TRUE(doc.is_table());
  EXPECT_EQ(doc.path(), "");
  // File order, not toml++'s alphabetical order.
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.entries()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"zeta", "count", "ratio", "on", "when", "server",
                                            "archive"}));

  EXPECT_EQ(*doc.Find("count")->AsInteger(), 3);
  EXPECT_EQ(*doc.Find("ratio")->AsFloat(), 0.5);
  EXPECT_EQ(*doc.Find("count")->AsFloat(), 3.0);
  EXPECT_TRUE(*doc.Find("on")->AsBool());
  EXPECT_EQ(doc.Find("when")->kind(), ConfigValue::Kind::kDateTime);

  const ConfigValue* listen = doc.Find("server")->Find("listen");
  ASSERT_NE(listen, nullptr);
  EXPECT_EQ(listen->path(), "server.listen");
  EXPECT_EQ(listen->where().ToString(), "test.toml:8:1");
  EXPECT_EQ(doc.Find("server")->where().ToString(), "test.toml:7:2");

  auto archives = doc.Sections("archive");
  ASSERT_TRUE(archives.ok());
  ASSERT_EQ(archives->size(), 2u);
  EXPECT_EQ(*(*archives)[1].Find("name")->AsString(), "ubuntu");
  const ConfigValue* suites = (*archives)[0].Find("suites");
  EXPECT_EQ(suites->path(), "archive[0].suites");
  EXPECT_EQ(suites->items()[1].path(), "archive[0].suites[1]");
  EXPECT_EQ(*suites->AsStringList(), (std::vector<std::string>{"bookworm", "bookworm-updates"}));
}

TEST(TomlReaderTest, SyntaxErrorsNameFileLineAndColumn) {
  auto r = ParseToml("a = 1\nb = \"unterminated\n", "conf/x.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("conf/x.toml:2:", 0), 0u) << r.status().message();

  auto dup = ParseToml("a = 1\na = 2\n", "d.toml");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message().rfind("d.toml:2:", 0), 0u) << dup.status().message();
}

// Found by fuzz/toml_fuzzer: dotted keys nest tables without toml++'s limit, and the conversion
// recursed once per level: "[k.k.k...]" with 5000 levels overflowed the stack (toml++ itself
// does at some 100,000).
TEST(TomlReaderTest, RejectsDeepNesting) {
  auto dotted = [](int levels) {
    std::string text = "[k";
    for (int i = 1; i < levels; ++i) text += ".k";
    return text + "]\nv = 1\n";
  };
  EXPECT_TRUE(ParseToml(dotted(63), "ok.toml").ok());
  for (int levels : {64, 5000, 200000}) {
    auto r = ParseToml(dotted(levels), "deep.toml");
    ASSERT_FALSE(r.ok()) << levels;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("deep.toml:", 0), 0u) << r.status().message();
  }
  std::string inline_tables = "a = ";
  for (int i = 0; i < 100; ++i) inline_tables += "{b = ";
  inline_tables += "1" + std::string(100, '}') + "\n";
  EXPECT_FALSE(ParseToml(inline_tables, "inline.toml").ok());
}

TEST(TomlReaderTest, ReadFileErrors) {
  auto r = ReadTomlFile("/nonexistent/mirrorvault.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find("/nonexistent/mirrorvault.toml"), std::string::npos);
}

TEST(ConfigValueTest, ConversionsReportPathAndPosition) {
  ConfigValue doc = Parse(
      "[s3]\n"
      "part_size = \"16MiB\"\n"
      "bytes = 4096\n"
      "bad_size = \"16 lbs\"\n"
      "negative = -1\n"
      "every = \"6h\"\n"
      "flag = \"yes\"\n");
  const ConfigValue& s3 = *doc.Find("s3");
  EXPECT_EQ(*s3.Find("part_size")->AsSize(), 16u << 20);
  EXPECT_EQ(*s3.Find("bytes")->AsSize(), 4096u);
  EXPECT_EQ(*s3.Find("every")->AsDuration(), 6h);

  auto bad = s3.Find("bad_size")->AsSize();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("test.toml:4:1: s3.bad_size: invalid size \"16 lbs\"", 0),
            0u)
      << bad.status().message();
  EXPECT_NE(s3.Find("negative")->AsSize().status().message().find("negative"), std::string::npos);
  EXPECT_EQ(s3.Find("flag")->AsBool().status().message(),
            "test.toml:7:1: s3.flag: expected true or false, got a string");
  EXPECT_EQ(s3.Find("bytes")->AsInteger(1, 100).status().message(),
            "test.toml:3:1: s3.bytes: 4096 is not in 1-100");
  EXPECT_FALSE(s3.Find("bytes")->AsString().ok());
  EXPECT_FALSE(s3.Find("every")->AsStringList().ok());
}

TEST(ConfigValueTest, SectionsAbsentWrongKindAndQuotedKeys) {
  ConfigValue doc = Parse("server = 5\narchive = [1]\n\"odd.key\" = { \"a b\" = 1 }\n");
  auto absent = doc.Section("regioncache");
  ASSERT_TRUE(absent.ok());
  EXPECT_TRUE(absent->entries().empty());
  EXPECT_EQ(absent->path(), "regioncache");
  EXPECT_EQ(doc.Section("server").status().message(),
            "test.toml:1:1: server: expected a table, got an integer");
  EXPECT_NE(doc.Sections("archive").status().message().find(
                "test.toml:2:12: archive[0]: expected a table, got an integer"),
            std::string::npos)
      << doc.Sections("archive").status().message();
  EXPECT_TRUE(doc.Sections("target")->empty());
  EXPECT_EQ(doc.Find("odd.key")->Find("a b")->path(), "\"odd.key\".\"a b\"");
}

TEST(ConfigValueTest, CheckKeysSuggestsAndLists) {
  ConfigValue doc = Parse("stor = \"x\"\n");
  Status s = doc.CheckKeys({"store", "catalog"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "test.toml:1:1: unknown key \"stor\" (did you mean \"store\"?); known top-level keys: "
            "catalog, store");
  EXPECT_TRUE(doc.CheckKeys({"stor"}).ok());

  ConfigValue nested = Parse("[s3]\nzzz = 1\n");
  Status n = nested.Find("s3")->CheckKeys({"part_size"});
  EXPECT_EQ(n.message(), "test.toml:2:1: unknown key \"zzz\"; known keys in s3: part_size");
}

TEST(ConfigValueTest, BuildersSetPaths) {
  ConfigValue root = ConfigValue::Table();
  ConfigValue list = ConfigValue::Array();
  ConfigValue item = ConfigValue::Table();
  item.Insert("name", ConfigValue::String("x"));
  list.Append(std::move(item));
  root.Insert("archive", std::move(list));
  EXPECT_EQ(root.Find("archive")->items()[0].Find("name")->path(), "archive[0].name");
  EXPECT_EQ(ConfigValue().kind(), ConfigValue::Kind::kTable);
  EXPECT_EQ(SourcePosition{}.ToString(), "");
  EXPECT_EQ((SourcePosition{.file = "f", .line = 3}).ToString(), "f:3");
}

}  // namespace
}  // namespace mv
