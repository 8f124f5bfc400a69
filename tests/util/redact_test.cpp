#include "util/redact.h"

#include <gtest/gtest.h>

namespace mv {
namespace {

TEST(IsSecretNameTest, Names) {
  for (std::string_view name :
       {"password", "PGPASSWORD", "aws_secret_access_key", "token", "X-Amz-Security-Token",
        "X-Amz-Signature", "X-Amz-Credential", "Authorization", "api_key", "ApiKey", "sig",
        "admin_token_env", "private_key", "passwd"}) {
    EXPECT_TRUE(IsSecretName(name)) << name;
  }
  for (std::string_view name :
       {"region", "endpoint", "user", "bucket", "design", "key", "signal", "access_key_id"}) {
    EXPECT_FALSE(IsSecretName(name)) << name;
  }
}

TEST(RedactUrlTest, Passwords) {
  EXPECT_EQ(RedactUrl("postgresql://mv:hunter2@db:5432/mv"), "postgresql://mv:REDACTED@db:5432/mv");
  EXPECT_EQ(RedactUrl("redis://:hunter2@127.0.0.1:6379/0"), "redis://:REDACTED@127.0.0.1:6379/0");
  EXPECT_EQ(RedactUrl("postgresql://mv@db/mv"), "postgresql://mv@db/mv");  // no password
  // Malformed: unescaped "/" and "@" in the password still do not leak.
  EXPECT_EQ(RedactUrl("postgresql://mv:hun/ter@2@db/mv"), "postgresql://mv:REDACTED@db/mv");
}

TEST(RedactUrlTest, QuerySecrets) {
  EXPECT_EQ(RedactUrl("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F20240101&"
                      "X-Amz-Signature=abc123&X-Amz-Expires=60"),
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&"
            "X-Amz-Expires=60");
  EXPECT_EQ(RedactUrl("s3://b/p?region=us-east-1&secret%5Fkey=x#frag"),
            "s3://b/p?region=us-east-1&secret%5Fkey=REDACTED#frag");
  EXPECT_EQ(RedactUrl("s3://b/p?token"), "s3://b/p?token");  // a flag, no value
  EXPECT_EQ(RedactUrl("s3://u:pw@b/p?password=x"), "s3://u:REDACTED@b/p?password=REDACTED");
  EXPECT_EQ(RedactUrl("not a url ?password=x&a=b"), "not a url ?password=REDACTED&a=b");
  EXPECT_EQ(RedactUrl("s3://b/p?email=a@b.c"), "s3://b/p?email=a@b.c");
}

TEST(RedactSecretsTest, EveryUrlInText) {
  EXPECT_EQ(RedactSecrets("connect postgresql://u:pw@db/x failed; retry redis://:pw2@r/0 "
                          "\"s3://b/k?sig=zz\""),
            "connect postgresql://u:REDACTED@db/x failed; retry redis://:REDACTED@r/0 "
            "\"s3://b/k?sig=REDACTED\"");
  EXPECT_EQ(RedactSecrets("no urls here: a://"), "no urls here: a://");
  EXPECT_EQ(RedactSecrets("odd :// alone"), "odd :// alone");
  EXPECT_EQ(RedactSecrets(""), "");
}

// Found by fuzz/redact_fuzzer: "'" may appear inside a URL (Uri::ToString leaves it unescaped),
// but it ended the URL, so the password or query after it was copied out unredacted.
TEST(RedactSecretsTest, ApostropheInsideAUrl) {
  EXPECT_EQ(RedactSecrets("connect postgresql://o'brien:hunter2@db/mv failed"),
            "connect postgresql://o'brien:REDACTED@db/mv failed");
  EXPECT_EQ(RedactSecrets("GET https://h/it's.deb?X-Amz-Signature=abc failed"),
            "GET https://h/it's.deb?X-Amz-Signature=REDACTED failed");
  // A URL in single quotes still ends at the closing one.
  EXPECT_EQ(RedactSecrets("bad URL 's3://u:pw@b/p', try again"),
            "bad URL 's3://u:REDACTED@b/p', try again");
}

}  // namespace
}  // namespace mv
