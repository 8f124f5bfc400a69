#include "store/s3/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "util/hash.h"

namespace mv::s3 {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// 2015-08-30T12:36:00Z, the time of AWS's published test suite.
const system_clock::time_point kSuiteTime{seconds(1440938160)};
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

SigV4Request Get(std::string path, std::vector<std::pair<std::string, std::string>> query = {}) {
  return {.method = "GET",
          .path = std::move(path),
          .query = std::move(query),
          .headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
          .payload_hash = kEmptySha256};
}

TEST(UriEncodeTest, KeepsUnreservedOnly) {
  EXPECT_EQ(UriEncode("AZaz09-._~", true), "AZaz09-._~");
  EXPECT_EQ(UriEncode("a b+c%d=e&f?g#h", true), "a%20b%2Bc%25d%3De%26f%3Fg%23h");
  EXPECT_EQ(UriEncode("!$'()*,;:@[]", true), "%21%24%27%28%29%2A%2C%3B%3A%40%5B%5D");
  EXPECT_EQ(UriEncode("ü€", true), "%C3%BC%E2%82%AC");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(UriEncode(std::string("\0\x7f\xff", 3), true), "%00%7F%FF");
  EXPECT_EQ(UriEncode("", true), "");
}

TEST(UriEncodeTest, SlashKeptUnlessAsked) {
  EXPECT_EQ(UriEncode("/a/b c/", false), "/a/b%20c/");
  EXPECT_EQ(UriEncode("/a/b c/", true), "%2Fa%2Fb%20c%2F");
}

TEST(AmzDateTest, FormatsUtcAndTruncatesToSeconds) {
  EXPECT_EQ(AmzDate(kSuiteTime), "20150830T123600Z");
  EXPECT_EQ(AmzDate(kSuiteTime + std::chrono::milliseconds(999)), "20150830T123600Z");
  EXPECT_EQ(AmzDate(system_clock::time_point{}), "19700101T000000Z");
  EXPECT_EQ(AmzDate(system_clock::time_point{seconds(951782400)}), "20000229T000000Z");
  EXPECT_EQ(AmzDate(system_clock::time_point{seconds(4102444799)}), "20991231T235959Z");
  EXPECT_EQ(AmzDate(system_clock::time_point{seconds(-1)}), "19691231T235959Z");
}

TEST(CanonicalUriTest, S3ModeIsExactlyTheWirePath) {
  for (std::string_view path : {"/bucket/a b+c/ü", "/b/./x/../y//z/", "/b/%41~", "/b/$&=?#"}) {
    EXPECT_EQ(CanonicalUri(path, PathMode::kS3), UriEncode(path, false)) << path;
  }
  EXPECT_EQ(CanonicalUri("/bucket/a b+c/ü", PathMode::kS3), "/bucket/a%20b%2Bc/%C3%BC");
  EXPECT_EQ(CanonicalUri("/b/./x/../y//z/", PathMode::kS3), "/b/./x/../y//z/");
  EXPECT_EQ(CanonicalUri("", PathMode::kS3), "/");
}

TEST(CanonicalUriTest, NormalizeModeRemovesDotSegmentsAndEncodesTwice) {
  EXPECT_EQ(CanonicalUri("/a b/ü", PathMode::kNormalize), "/a%2520b/%25C3%25BC");
  EXPECT_EQ(CanonicalUri("/b/./x/../y//z/", PathMode::kNormalize), "/b/y/z/");
  EXPECT_EQ(CanonicalUri("/a/b/..", PathMode::kNormalize), "/a");
  EXPECT_EQ(CanonicalUri("/../..", PathMode::kNormalize), "/");
  EXPECT_EQ(CanonicalUri("//", PathMode::kNormalize), "/");
  EXPECT_EQ(CanonicalUri("", PathMode::kNormalize), "/");
  EXPECT_EQ(CanonicalUri("/-._~", PathMode::kNormalize), "/-._~");
}

TEST(CanonicalQueryTest, SortsByEncodedNameThenValue) {
  // Raw 'z' (0x7A) sorts before raw 'ü' (0xC3), but "%C3%BC" sorts before "z".
  EXPECT_EQ(CanonicalQuery({{"z", "1"}, {"ü", "2"}}), "%C3%BC=2&z=1");
  EXPECT_EQ(CanonicalQuery({{"a", "2"}, {"a", "10"}, {"a", ""}}), "a=&a=10&a=2");
  EXPECT_EQ(CanonicalQuery({{"a b", "c+d"}, {"a+b", "/"}}), "a%20b=c%2Bd&a%2Bb=%2F");
  EXPECT_EQ(CanonicalQuery({{"lifecycle", ""}}), "lifecycle=");
  EXPECT_EQ(CanonicalQuery({}), "");
}

TEST(CanonicalRequestTest, OneHeaderMapForNamesAndBlock) {
  SigV4Request r = Get("/");
  r.headers = {{"X-Amz-Meta-B", "  two  \t words "},
               {"host", "h"},
               {"x-amz-meta-b", "second"},
               {"Content-Type", "text/plain"},
               {"X-Empty", "   "}};
  EXPECT_EQ(SignedHeaderList(r), "content-type;host;x-amz-meta-b;x-empty");
  EXPECT_EQ(CanonicalRequest(r, PathMode::kS3),
            "GET\n/\n\ncontent-type:text/plain\nhost:h\nx-amz-meta-b:two words,second\nx-empty:\n\n"
            "content-type;host;x-amz-meta-b;x-empty\n" +
                kEmptySha256);
}

TEST(SignatureTest, EveryInputChangesTheSignature) {
  Credentials c{.access_key_id = "AKIDEXAMPLE",
                .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                .session_token = ""};
  SigV4Scope scope{.region = "us-east-1", .service = "service", .time = kSuiteTime};
  auto sign = [&](const SigV4Request& r, const SigV4Scope& s, const std::string& secret) {
    return Signature(StringToSign(CanonicalRequest(r, PathMode::kS3), s), s, secret);
  };
  SigV4Request base = Get("/k", {{"a", "1"}});
  std::string reference = sign(base, scope, c.secret_access_key);
  EXPECT_EQ(reference.size(), 64u);

  std::vector<std::string> variants;
  SigV4Request r = base;
  r.method = "PUT";
  variants.push_back(sign(r, scope, c.secret_access_key));
  r = base;
  r.path = "/K";
  variants.push_back(sign(r, scope, c.secret_access_key));
  r = base;
  r.query[0].second = "2";
  variants.push_back(sign(r, scope, c.secret_access_key));
  r = base;
  r.headers.emplace_back("x-amz-meta-a", "b");
  variants.push_back(sign(r, scope, c.secret_access_key));
  r = base;
  r.payload_hash = "UNSIGNED-PAYLOAD";
  variants.push_back(sign(r, scope, c.secret_access_key));
  SigV4Scope s = scope;
  s.time += std::chrono::hours(24);
  variants.push_back(sign(base, s, c.secret_access_key));
  s = scope;
  s.region = "eu-west-1";
  variants.push_back(sign(base, s, c.secret_access_key));
  s = scope;
  s.service = "s3";
  variants.push_back(sign(base, s, c.secret_access_key));
  variants.push_back(sign(base, scope, c.secret_access_key + "x"));
  for (size_t i = 0; i < variants.size(); ++i) EXPECT_NE(variants[i], reference) << i;
}

TEST(SignHeadersTest, AddsDateAndTokenAndReplacesStaleOnes) {
  Credentials c{.access_key_id = "AKIDEXAMPLE",
                .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                .session_token = "TOKEN"};
  SigV4Scope scope{.region = "us-east-1", .service = "service", .time = kSuiteTime};
  SigV4Request stale = Get("/");
  stale.headers = {{"Host", "example.amazonaws.com"},
                   {"X-Amz-Date", "19990101T000000Z"},
                   {"x-amz-security-token", "OLD"}};
  SigV4Request clean = Get("/");
  clean.headers = {{"Host", "example.amazonaws.com"}};

  auto added = SignHeaders(clean, scope, c, PathMode::kNormalize);
  ASSERT_EQ(added.size(), 3u);
  EXPECT_EQ(added[0].first, "Authorization");
  EXPECT_EQ(added[1], (std::pair<std::string, std::string>{"x-amz-date", "20150830T123600Z"}));
  EXPECT_EQ(added[2], (std::pair<std::string, std::string>{"x-amz-security-token", "TOKEN"}));
  EXPECT_EQ(SignHeaders(stale, scope, c, PathMode::kNormalize), added);
  EXPECT_NE(added[0].second.find("SignedHeaders=host;x-amz-date;x-amz-security-token, "),
            std::string::npos)
      << added[0].second;

  Credentials permanent{.access_key_id = c.access_key_id,
                        .secret_access_key = c.secret_access_key,
                        .session_token = ""};
  auto without_token = SignHeaders(clean, scope, permanent, PathMode::kNormalize);
  ASSERT_EQ(without_token.size(), 2u);
  EXPECT_NE(without_token[0].second, added[0].second);
}

TEST(PresignTest, SessionTokenIsSignedInTheQuery) {
  SigV4Scope scope{.region = "us-east-1", .service = "s3", .time = kSuiteTime};
  SigV4Request r{.method = "GET",
                 .path = "/b/k",
                 .query = {},
                 .headers = {{"Host", "b.example"}},
                 .payload_hash = ""};
  Credentials c{.access_key_id = "AK", .secret_access_key = "SK", .session_token = "a/b+c="};
  std::string query = PresignQuery(r, scope, c, seconds(60));
  EXPECT_EQ(
      query.find("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20150830%2Fus-east-1"
                 "%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&"
                 "X-Amz-Security-Token=a%2Fb%2Bc%3D&X-Amz-SignedHeaders=host&X-Amz-Signature="),
      0u)
      << query;
  SigV4Request signed_request = PresignRequest(r, scope, c, seconds(60));
  EXPECT_EQ(signed_request.payload_hash, "UNSIGNED-PAYLOAD");
  std::string signature =
      Signature(StringToSign(CanonicalRequest(signed_request, PathMode::kS3), scope), scope, "SK");
  EXPECT_TRUE(query.ends_with("&X-Amz-Signature=" + signature)) << query;
  c.session_token.clear();
  EXPECT_EQ(PresignQuery(r, scope, c, seconds(60)).find("Security-Token"), std::string::npos);
}

}  // namespace
}  // namespace mv::s3
