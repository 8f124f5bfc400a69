// Named publish targets from the configuration's [[target]] sections.
#include "publish/target_config.h"

#include <gtest/gtest.h>

#include "util/toml_reader.h"

namespace mv::publish {
namespace {

using namespace std::chrono_literals;

Result<std::optional<TargetConfig>> Find(const std::string& toml, const std::string& name) {
  Result<ConfigValue> doc = ParseToml(toml, "test.toml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return FindTarget(*doc, name);
}

TEST(TargetConfig, UrlsBucketsAndFolders) {
  const std::string toml = R"(
[[target]]
name = "us-east-1"
url = "s3://us-east-1-mirror/debian?endpoint=https://s3.us-east-1.amazonaws.com"
public_read = true
allow_cidr = ["10.0.0.0/8"]
grace = "24h"

[[target]]
name = "eu-west"
bucket = "debian-eu"
prefix = "debian/main"
region = "eu-west-1"
endpoint = "http://127.0.0.1:7480"

[[target]]
name = "www"
folder = "/srv/www/debian"
)";
  auto us = Find(toml, "us-east-1");
  ASSERT_TRUE(us.ok() && *us) << us.status().ToString();
  EXPECT_EQ((*us)->url, "s3://us-east-1-mirror/debian?endpoint=https://s3.us-east-1.amazonaws.com");
  EXPECT_TRUE((*us)->public_read);
  EXPECT_EQ((*us)->allow_cidr, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ((*us)->grace, std::chrono::milliseconds(24h));
  auto eu = Find(toml, "eu-west");
  ASSERT_TRUE(eu.ok() && *eu);
  EXPECT_EQ((*eu)->url,
            "s3://debian-eu/debian/main?endpoint=http%3A%2F%2F127.0.0.1%3A7480&region=eu-west-1");
  EXPECT_FALSE((*eu)->public_read);
  EXPECT_EQ((*eu)->grace, std::nullopt);
  EXPECT_EQ(Find(toml, "www").value()->url, "file:///srv/www/debian");
  EXPECT_EQ(Find(toml, "nosuch").value(), std::nullopt);
}

TEST(TargetConfig, Refusals) {
  for (const char* bad : {
           "[[target]]\nbucket = \"b\"\n",                                  // no name
           "[[target]]\nname = \"x\"\n",                                    // no place
           "[[target]]\nname = \"x\"\nbucket = \"b\"\nfolder = \"/f\"\n",   // two places
           "[[target]]\nname = \"x\"\nurl = \"s3://b\"\nbucket = \"b\"\n",  // two places
           "[[target]]\nname = \"x\"\nfolder = \"rel\"\n",                  // relative
           "[[target]]\nname = \"x\"\nbuckett = \"b\"\n",                   // misspelt key
           "[[target]]\nname = \"x\"\nbucket = 3\n",                        // wrong type
           "[[target]]\nname = \"x\"\nbucket = \"b\"\ngrace = \"soon\"\n",  // bad duration
           "[[target]]\nname = \"x\"\nbucket = \"a\"\n"
           "[[target]]\nname = \"x\"\nbucket = \"b\"\n",  // twice
       }) {
    Result<std::optional<TargetConfig>> r = Find(bad, "x");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
      EXPECT_NE(r.status().message().find("test.toml"), std::string::npos) << r.status().ToString();
    }
  }
}

}  // namespace
}  // namespace mv::publish
