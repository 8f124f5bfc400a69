#include "util/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "util/uri.h"

namespace mv {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mv-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/work dir");
    fs::create_directories(dir_ + "/etc");
    sources_.cwd = dir_ + "/work dir";  // a space: URLs must escape it
    sources_.system_file = dir_ + "/etc/mirrorvault.toml";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

  Config Load() {
    auto r = LoadConfig(sources_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : Config{};
  }

  Status LoadError() {
    auto r = LoadConfig(sources_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Status::Ok() : r.status();
  }

  std::string dir_;
  ConfigSources sources_;
};

TEST_F(ConfigTest, EmbeddedDefaultsWithNothingConfigured) {
  Config c = Load();
  EXPECT_EQ(c.store, "file://" + PercentEncode(dir_, "/") + "/work%20dir/mirrorvault-data/store");
  EXPECT_EQ(c.catalog,
            "sqlite://" + PercentEncode(dir_, "/") + "/work%20dir/mirrorvault-data/catalog.db");
  EXPECT_EQ(ParseUri(c.store)->path, dir_ + "/work dir/mirrorvault-data/store");
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  EXPECT_EQ(c.s3.concurrency, 64);
  EXPECT_EQ(c.s3.multipart_threshold, 64u << 20);
  EXPECT_EQ(c.s3.part_size, 16u << 20);
  EXPECT_EQ(c.s3.max_attempts, 7);
  EXPECT_EQ(c.config_file, "");
  EXPECT_TRUE(c.document.entries().empty());
  EXPECT_EQ(c.OriginOf("store").source, ConfigSource::kDefault);
  EXPECT_EQ(c.OriginOf("s3.part_size").source, ConfigSource::kDefault);
}

TEST_F(ConfigTest, RootDirectoryDefaults) {
  sources_.cwd = "/";
  sources_.system_file = "/nonexistent/mirrorvault.toml";
  // ./mirrorvault.toml would be /mirrorvault.toml: assume the test machine has none.
  if (fs::exists("/mirrorvault.toml")) GTEST_SKIP() << "/mirrorvault.toml exists";
  EXPECT_EQ(Load().store, "file:///mirrorvault-data/store");
}

TEST_F(ConfigTest, RelativeCwdIsRejected) {
  sources_.cwd = "relative";
  EXPECT_EQ(LoadError().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, LocalFileWithOriginsAndTheWholeDocument) {
  std::string file = sources_.cwd + "/mirrorvault.toml";
  Write(file,
        "store = \"s3://archive/mv?endpoint=http://127.0.0.1:7480\"\n"
        "catalog = \"postgresql://mirrorvault@127.0.0.1:5432/mirrorvault\"\n"
        "log_level = \"debug\"\n"
        "\n"
        "[s3]\n"
        "concurrency = 16\n"
        "part_size = \"8MiB\"\n"
        "multipart_threshold = 33554432\n"
        "max_attempts = 3\n"
        "\n"
        "[server]\n"
        "listen = \"127.0.0.1:8080\"\n"
        "\n"
        "[[archive]]\n"
        "name = \"debian\"\n"
        "every = \"6h\"\n");
  Write(sources_.system_file, "log_level = \"error\"\n");  // not read: the local file wins
  Config c = Load();
  EXPECT_EQ(c.config_file, file);
  EXPECT_EQ(c.store, "s3://archive/mv?endpoint=http://127.0.0.1:7480");
  EXPECT_EQ(c.catalog, "postgresql://mirrorvault@127.0.0.1:5432/mirrorvault");
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.s3.concurrency, 16);
  EXPECT_EQ(c.s3.part_size, 8u << 20);
  EXPECT_EQ(c.s3.multipart_threshold, 32u << 20);
  EXPECT_EQ(c.s3.max_attempts, 3);
  EXPECT_EQ(c.OriginOf("store").source, ConfigSource::kFile);
  EXPECT_EQ(c.OriginOf("store").where, file + ":1:1");
  EXPECT_EQ(c.OriginOf("s3.part_size").where, file + ":7:1");
  // Later parts read their own sections.
  EXPECT_EQ(*c.document.Find("server")->Find("listen")->AsString(), "127.0.0.1:8080");
  auto archives = c.document.Sections("archive");
  ASSERT_TRUE(archives.ok());
  EXPECT_EQ(*(*archives)[0].Find("every")->AsDuration(), std::chrono::hours(6));
}

TEST_F(ConfigTest, SystemFileWhenThereIsNoLocalOne) {
  Write(sources_.system_file, "log_level = \"warn\"\n");
  Config c = Load();
  EXPECT_EQ(c.config_file, sources_.system_file);
  EXPECT_EQ(c.log_level, LogLevel::kWarn);
}

TEST_F(ConfigTest, NamedFilesWinAndMustExist) {
  Write(sources_.cwd + "/mirrorvault.toml", "log_level = \"warn\"\n");
  Write(dir_ + "/env.toml", "log_level = \"error\"\n");
  Write(sources_.cwd + "/flag.toml", "log_level = \"trace\"\n");
  sources_.env["MIRRORVAULT_CONFIG"] = dir_ + "/env.toml";
  EXPECT_EQ(Load().log_level, LogLevel::kError);
  sources_.flags.config_file = "flag.toml";  // relative to cwd
  Config c = Load();
  EXPECT_EQ(c.log_level, LogLevel::kTrace);
  EXPECT_EQ(c.config_file, sources_.cwd + "/flag.toml");

  sources_.flags.config_file = "missing.toml";
  Status s = LoadError();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("--config"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("missing.toml"), std::string::npos) << s.message();

  sources_.flags.config_file.reset();
  sources_.env["MIRRORVAULT_CONFIG"] = dir_ + "/gone.toml";
  s = LoadError();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("MIRRORVAULT_CONFIG"), std::string::npos) << s.message();

  sources_.env["MIRRORVAULT_CONFIG"] = "";  // empty: unset, the local file applies
  EXPECT_EQ(Load().log_level, LogLevel::kWarn);
}

TEST_F(ConfigTest, EnvironmentOverridesFileAndFlagsOverrideEnvironment) {
  Write(sources_.cwd + "/mirrorvault.toml",
        "store = \"file:///from/file\"\ncatalog = \"sqlite:///from/file.db\"\n");
  sources_.env = {{"MIRRORVAULT_STORE", "s3://env-bucket/p"},
                  {"MIRRORVAULT_LOG_LEVEL", "debug"},
                  {"MIRRORVAULT_CATALOG", ""},  // empty: unset
                  {"HOME", "/root"}};           // not ours: ignored
  Config c = Load();
  EXPECT_EQ(c.store, "s3://env-bucket/p");
  EXPECT_EQ(c.OriginOf("store").source, ConfigSource::kEnvironment);
  EXPECT_EQ(c.OriginOf("store").where, "MIRRORVAULT_STORE");
  EXPECT_EQ(c.catalog, "sqlite:///from/file.db");
  EXPECT_EQ(c.OriginOf("catalog").source, ConfigSource::kFile);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);

  sources_.flags.store = "file:///from/flag";
  sources_.flags.log_level = "error";
  c = Load();
  EXPECT_EQ(c.store, "file:///from/flag");
  EXPECT_EQ(c.OriginOf("store").source, ConfigSource::kFlag);
  EXPECT_EQ(c.OriginOf("store").where, "--store");
  EXPECT_EQ(c.log_level, LogLevel::kError);
  EXPECT_EQ(c.OriginOf("log_level").where, "--log-level");
}

TEST_F(ConfigTest, UnknownKeysNameTheFileAndLine) {
  std::string file = sources_.cwd + "/mirrorvault.toml";
  Write(file, "store = \"file:///x\"\n\nstroe = \"file:///y\"\n");
  Status s = LoadError();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind(file + ":3:1: unknown key \"stroe\" (did you mean \"store\"?)", 0),
            0u)
      << s.message();

  Write(file, "[s3]\nconcurency = 8\n");
  s = LoadError();
  EXPECT_NE(s.message().find(file + ":2:1: unknown key \"concurency\" (did you mean "
                                    "\"concurrency\"?); known keys in s3:"),
            std::string::npos)
      << s.message();
}

TEST_F(ConfigTest, SyntaxErrorsNameFileLineAndColumn) {
  std::string file = sources_.cwd + "/mirrorvault.toml";
  Write(file, "store = \"file:///x\"\ncatalog = = 1\n");
  Status s = LoadError();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind(file + ":2:", 0), 0u) << s.message();
}

TEST_F(ConfigTest, BadValuesNameWhereTheyCameFrom) {
  std::string file = sources_.cwd + "/mirrorvault.toml";
  Write(file, "[s3]\npart_size = \"1MiB\"\n");
  Status s = LoadError();
  EXPECT_EQ(s.message(), file + ":2:1: s3.part_size: 1MiB is not in 5MiB-5GiB (S3's part sizes)");
  Write(file, "[s3]\nconcurrency = 0\n");
  EXPECT_NE(LoadError().message().find("s3.concurrency: 0 is not in 1-4096"), std::string::npos);
  Write(file, "[s3]\nmultipart_threshold = \"6GiB\"\n");
  EXPECT_NE(LoadError().message().find("above 5GiB"), std::string::npos);
  Write(file, "store = 5\n");
  EXPECT_EQ(LoadError().message(), file + ":1:1: store: expected a string, got an integer");
  Write(file, "log_level = \"loud\"\n");
  EXPECT_NE(LoadError().message().find(file + ":1:1: log_level: unknown log level \"loud\""),
            std::string::npos);
  Write(file, "s3 = 5\n");
  EXPECT_NE(LoadError().message().find("s3: expected a table"), std::string::npos);
  Write(file, "store = \"/var/lib/mirrorvault\"\n");
  EXPECT_NE(LoadError().message().find(file + ":1:1: store: invalid URL"), std::string::npos);
  fs::remove(file);

  sources_.env["MIRRORVAULT_CATALOG"] = "not a url";
  s = LoadError();
  EXPECT_NE(s.message().find("environment variable MIRRORVAULT_CATALOG: catalog: invalid URL"),
            std::string::npos)
      << s.message();
  sources_.env.clear();
  sources_.flags.log_level = "verbose";
  s = LoadError();
  EXPECT_NE(s.message().find("flag --log-level: log_level: unknown log level \"verbose\""),
            std::string::npos)
      << s.message();
}

TEST_F(ConfigTest, FormatShowsValuesOriginsAndNoSecrets) {
  std::string file = sources_.cwd + "/mirrorvault.toml";
  Write(file, "catalog = \"postgresql://mv:hunter2@db/mv\"\n[s3]\npart_size = \"32MiB\"\n");
  sources_.env["MIRRORVAULT_LOG_LEVEL"] = "debug";
  std::string text = FormatConfig(Load());
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("# config file: " + file + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("catalog = \"postgresql://mv:REDACTED@db/mv\"  # file " + file + ":1:1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("log_level = \"debug\"  # env MIRRORVAULT_LOG_LEVEL\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("part_size = \"32MiB\"  # file"), std::string::npos) << text;
  EXPECT_NE(text.find("concurrency = 64  # default\n"), std::string::npos) << text;
}

TEST(ProcessConfigSourcesTest, CurrentDirectoryAndFlags) {
  auto r = ProcessConfigSources({.store = "file:///x"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cwd, fs::current_path().string());
  EXPECT_EQ(r->flags.store, "file:///x");
  for (const auto& [name, value] : r->env) EXPECT_EQ(name.rfind("MIRRORVAULT_", 0), 0u) << name;
}

}  // namespace
}  // namespace mv
