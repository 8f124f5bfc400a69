#include "util/uri.h"

#include <gtest/gtest.h>

namespace mv {
namespace {

Uri Parse(std::string_view text) {
  auto r = ParseUri(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Uri{};
}

std::string Error(std::string_view text) {
  auto r = ParseUri(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(UriTest, FileUrls) {
  Uri u = Parse("file:///var/lib/mirrorvault/store");
  EXPECT_EQ(u.scheme, "file");
  EXPECT_EQ(u.host, "");
  EXPECT_EQ(u.path, "/var/lib/mirrorvault/store");
  EXPECT_FALSE(u.port.has_value());
  EXPECT_FALSE(u.user.has_value());
  EXPECT_TRUE(u.query.empty());
  EXPECT_EQ(u.ToString(), "file:///var/lib/mirrorvault/store");
}

TEST(UriTest, S3WithQuery) {
  Uri u = Parse(
      "s3://bucket/prefix/sub?endpoint=http://127.0.0.1:7480&region=us-east-1"
      "&addressing=path");
  EXPECT_EQ(u.scheme, "s3");
  EXPECT_EQ(u.host, "bucket");
  EXPECT_EQ(u.path, "/prefix/sub");
  ASSERT_EQ(u.query.size(), 3u);
  EXPECT_EQ(u.Param("endpoint"), "http://127.0.0.1:7480");
  EXPECT_EQ(u.Param("region"), "us-east-1");
  EXPECT_EQ(u.Param("addressing"), "path");
  EXPECT_EQ(u.Param("missing"), std::nullopt);
  EXPECT_EQ(u.query[0].key, "endpoint");  // order kept
  EXPECT_EQ(u.query[2].key, "addressing");
  Uri bucket_only = Parse("s3://bucket");
  EXPECT_EQ(bucket_only.host, "bucket");
  EXPECT_EQ(bucket_only.path, "");
}

TEST(UriTest, RepeatedAndEncodedParams) {
  Uri u = Parse("s3://b/?allow=10.0.0.0%2F8&allow=192.168.0.0/16&k%20ey=a%26b&plus=a+b&flag&&");
  EXPECT_EQ(u.Params("allow"), (std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"}));
  EXPECT_EQ(u.Param("k ey"), "a&b");
  EXPECT_EQ(u.Param("plus"), "a+b");  // "+" is not a space
  EXPECT_EQ(u.Param("flag"), "");
  EXPECT_EQ(u.query.size(), 5u);  // the empty one after "&&" is skipped
}

TEST(UriTest, DatabaseUrls) {
  Uri sqlite = Parse("sqlite:///var/lib/mirrorvault/catalog.db");
  EXPECT_EQ(sqlite.scheme, "sqlite");
  EXPECT_EQ(sqlite.path, "/var/lib/mirrorvault/catalog.db");

  Uri pg = Parse("postgresql://mirrorvault:s%40cret@127.0.0.1:5432/mirrorvault?sslmode=disable");
  EXPECT_EQ(pg.user, "mirrorvault");
  EXPECT_EQ(pg.password, "s@cret");
  EXPECT_EQ(pg.host, "127.0.0.1");
  EXPECT_EQ(pg.port, 5432);
  EXPECT_EQ(pg.path, "/mirrorvault");
  EXPECT_EQ(pg.Param("sslmode"), "disable");

  Uri redis = Parse("REDIS://[::1]:6379/0");
  EXPECT_EQ(redis.scheme, "redis");
  EXPECT_EQ(redis.host, "::1");
  EXPECT_EQ(redis.port, 6379);
  EXPECT_EQ(redis.path, "/0");
  EXPECT_EQ(redis.ToString(), "redis://[::1]:6379/0");

  Uri user_only = Parse("postgresql://mv@db/mv");
  EXPECT_EQ(user_only.user, "mv");
  EXPECT_FALSE(user_only.password.has_value());
}

TEST(UriTest, LenientAboutSpacesAndPercents) {
  Uri u = Parse("s3://bucket/pre fix");
  EXPECT_EQ(u.path, "/pre fix");
  EXPECT_EQ(u.ToString(), "s3://bucket/pre%20fix");
  EXPECT_EQ(Parse("file:///with%20space").path, "/with space");
  EXPECT_EQ(Parse("file:///50%off").path, "/50%off");            // not an escape: literal
  EXPECT_EQ(Parse("file:///50%25off").path, "/50%off");          // the escaped form
  EXPECT_EQ(Parse("file:///caf\xc3\xa9").path, "/caf\xc3\xa9");  // UTF-8 kept
  EXPECT_EQ(Parse("file:///a[1]{2}|\"^`").path, "/a[1]{2}|\"^`");
  EXPECT_EQ(Parse("s3://b/p?q=a b").Param("q"), "a b");
}

TEST(UriTest, RejectsMalformedInput) {
  EXPECT_NE(Error("").find("empty"), std::string::npos);
  EXPECT_NE(Error("file:/var/lib").find("\"//\" must follow \"file:\""), std::string::npos);
  EXPECT_NE(Error("file:///a#b").find("%23"), std::string::npos);
  EXPECT_NE(Error("file:///a\nb").find("control character 0x0A at offset 9"), std::string::npos);
  EXPECT_NE(Error(std::string_view("file:///a\0b", 11)).find("0x00"), std::string::npos);
  EXPECT_NE(Error("http://h:99999/").find("port 99999"), std::string::npos);
  EXPECT_NE(Error("http://h:80x/p").find("must be digits"), std::string::npos);
  EXPECT_NE(Error("postgresql://u:pw@db:x/").find("must be digits"), std::string::npos);
  EXPECT_NE(Error("/var/lib/store").find("no scheme"), std::string::npos);
  EXPECT_NE(Error("bucket/a:b").find("no scheme"), std::string::npos);
  EXPECT_NE(Error("redis://[::1/0").find("not RFC 3986 syntax"), std::string::npos);
  EXPECT_NE(Error("s3://b:1:2/").find("must be digits"), std::string::npos);
  EXPECT_NE(Error("s3://b/?=v").find("no name"), std::string::npos);
  Error("://nothing");
  Error("1s3://b/");
}

TEST(UriTest, ErrorsNeverShowThePassword) {
  std::string m = Error("postgresql://u:hunter2@db:99999/x");
  EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  EXPECT_NE(m.find("postgresql://u:REDACTED@db:99999/x"), std::string::npos) << m;
}

TEST(UriTest, ToStringRoundTrips) {
  Uri u{.scheme = "s3",
        .user = "a:b@c",
        .password = "p@ss:/?#",
        .host = "bucket",
        .port = 9000,
        .path = "/pre fix/%/#?",
        .query = {{"endpoint", "http://h:1/?a=b&c=d+e f#"}, {"x", ""}, {"x", "="}}};
  std::string text = u.ToString();
  EXPECT_EQ(text.find(' '), std::string::npos) << text;
  EXPECT_EQ(Parse(text), u) << text;
  Uri file{.scheme = "file", .path = "/tmp/a b"};
  EXPECT_EQ(file.ToString(), "file:///tmp/a%20b");
  EXPECT_EQ(Parse(file.ToString()), file);
}

// Found by fuzz/uri_fuzzer: Boost.URL 1.81's set_path wrote the path "/" as "/./", so
// "http://[::1]:7480/" came back as "http://[::1]:7480/./", a different URL.
TEST(UriTest, ToStringKeepsARootPath) {
  for (const char* text : {"http://[::1]:7480/", "s3://bucket/", "file:///", "file:////x",
                           "s3://b/./", "s3://b/a/../"}) {
    Uri u = Parse(text);
    EXPECT_EQ(u.ToString(), text);
    EXPECT_EQ(Parse(u.ToString()), u) << text;
  }
}

// Found by fuzz/uri_fuzzer: ParseUri kept an IPv6 address as written ("::0") while ToString
// wrote Boost.URL's canonical form ("::"), so the round trip changed the host.
TEST(UriTest, Ipv6HostsAreCanonical) {
  EXPECT_EQ(Parse("http://[::0]:7480/").host, "::");
  EXPECT_EQ(Parse("http://[2001:DB8:0:0::1]/").host, "2001:db8::1");
  EXPECT_EQ(Parse("http://%3A%3A0/").host, "::");
  for (const char* text : {"http://[::0]:7480/", "http://[0:0:0:0:0:0:0:1]/", "s3://%3A%3A0/p"}) {
    Uri u = Parse(text);
    EXPECT_EQ(Parse(u.ToString()), u) << text << " -> " << u.ToString();
  }
}

TEST(PercentTest, EncodeAndDecode) {
  EXPECT_EQ(PercentEncode("a b/c~d_e.f-g"), "a%20b%2Fc~d_e.f-g");
  EXPECT_EQ(PercentEncode("/tmp/my dir", "/"), "/tmp/my%20dir");
  EXPECT_EQ(PercentEncode("\xc3\xa9%+"), "%C3%A9%25%2B");
  EXPECT_EQ(*PercentDecode("a%20b%2fc%2F+"), "a b/c/+");
  EXPECT_EQ(*PercentDecode(PercentEncode(std::string("\0\x01\xff", 3))),
            std::string("\0\x01\xff", 3));
  for (std::string_view bad : {"%", "%2", "%zz", "a%g0"}) {
    auto r = PercentDecode(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mv
