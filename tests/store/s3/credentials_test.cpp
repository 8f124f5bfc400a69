#include "store/s3/credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mv::s3 {
namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() /
            ("mv-cred-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(home_ / ".aws");
  }
  void TearDown() override { std::filesystem::remove_all(home_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(home_ / ".aws" / name) << text;
  }
  AwsEnvironment Env(std::map<std::string, std::string> vars) { return {std::move(vars), home_}; }

  std::filesystem::path home_;
};

TEST_F(CredentialsTest, EnvironmentWins) {
  Write("credentials",
        "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  auto s = ResolveAwsSettings(Env({{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                   {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                   {"AWS_SESSION_TOKEN", "TOKEN"},
                                   {"AWS_REGION", "eu-west-1"}}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(s->credentials.secret_access_key, "ENVSECRET");
  EXPECT_EQ(s->credentials.session_token, "TOKEN");
  EXPECT_EQ(s->region, "eu-west-1");
  EXPECT_EQ(s->source, "environment");
}

TEST_F(CredentialsTest, NamedProfileFromBothFiles) {
  Write("credentials",
        "# comment\n[default]\naws_access_key_id=D\naws_secret_access_key=DS\n\n"
        "[dev]\n AWS_Access_Key_ID = DEV \naws_secret_access_key = DEVSECRET\n");
  Write("config",
        "[default]\nregion = us-east-2\n[profile dev]\nregion = ap-south-1\n"
        "endpoint_url = http://127.0.0.1:7480\ns3 =\n  addressing_style = path\n");
  auto s = ResolveAwsSettings(Env({{"AWS_PROFILE", "dev"}}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->credentials.access_key_id, "DEV");
  EXPECT_EQ(s->credentials.secret_access_key, "DEVSECRET");
  EXPECT_EQ(s->region, "ap-south-1");
  EXPECT_EQ(s->endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(s->source, "profile dev");

  auto d = ResolveAwsSettings(Env({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->credentials.access_key_id, "D");
  EXPECT_EQ(d->region, "us-east-2");
  EXPECT_EQ(ResolveAwsSettings(Env({{"AWS_ENDPOINT_URL", "http://x:1"}}))->endpoint, "http://x:1");
}

TEST_F(CredentialsTest, ClearErrors) {
  auto missing = ResolveAwsSettings(Env({{"AWS_PROFILE", "nope"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);

  auto half = ResolveAwsSettings(Env({{"AWS_ACCESS_KEY_ID", "K"}}));
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  // The message never echoes a secret.
  auto other_half = ResolveAwsSettings(Env({{"AWS_SECRET_ACCESS_KEY", "SUPERSECRET"}}));
  ASSERT_FALSE(other_half.ok());
  EXPECT_EQ(other_half.status().message().find("SUPERSECRET"), std::string::npos);

  Write("credentials", "[broken\n");
  auto broken = ResolveAwsSettings(Env({}));
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("credentials:1"), std::string::npos);
}

TEST_F(CredentialsTest, AnonymousWhenNothingIsConfigured) {
  auto s = ResolveAwsSettings(Env({}));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->credentials.access_key_id.empty());
}

TEST(IniTest, RejectsSettingOutsideSection) {
  auto r = ParseIni("key = value\n", "f");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("f:1"), std::string::npos);
}

}  // namespace
}  // namespace mv::s3
