// S3Client and S3Store request shapes, checked on a recording in-memory HttpClient: addressing
// styles, encoding of keys and queries, signing headers, retries of retryable answers only.
#include "store/s3/s3_client.h"

#include <gtest/gtest.h>

#include "store/s3/s3_store.h"
#include "support/scripted_http_client.h"
#include "util/clock.h"

namespace mv::s3 {
namespace {

using testing::ScriptedHttpClient;

// S3 answers 200 to anything not scripted.
std::shared_ptr<ScriptedHttpClient> MakeHttp() {
  auto http = std::make_shared<ScriptedHttpClient>();
  http->SetUnscripted({.status = 200});
  return http;
}

std::chrono::system_clock::time_point FixedTime() {
  return std::chrono::system_clock::from_time_t(1440938160);  // 20150830T123600Z
}

// Signs at `clock`'s time; retries sleep on it (without waiting).
S3Client MakeClient(ManualClock& clock, std::shared_ptr<ScriptedHttpClient> http,
                    bool virtual_hosted, Credentials creds = {"AKID", "SECRET", ""}) {
  http::RetryPolicy retry{.max_attempts = 3};
  return S3Client({.scheme = virtual_hosted ? "https" : "http",
                   .authority = virtual_hosted ? "s3.eu-west-1.amazonaws.com" : "127.0.0.1:7480",
                   .bucket = "my-bucket",
                   .region = "eu-west-1",
                   .virtual_hosted = virtual_hosted},
                  creds, http, retry, &clock);
}

TEST(S3ClientTest, PathStyleEncodesKeysOnceAndSigns) {
  auto http = MakeHttp();
  ManualClock clock(FixedTime());
  S3Client client = MakeClient(clock, http, false);
  ASSERT_TRUE(client
                  .Send({.method = http::Method::kGet,
                         .key = "pool/a b+c/ü~.deb",
                         .query = {{"versionId", "x/y z"}}})
                  .ok());
  ASSERT_EQ(http->requests().size(), 1u);
  const http::Request r = http->requests()[0];
  EXPECT_EQ(r.url,
            "http://127.0.0.1:7480/my-bucket/pool/a%20b%2Bc/%C3%BC~.deb?versionId=x%2Fy%20z");
  auto auth = http::FindHeader(r.headers, "authorization");
  ASSERT_TRUE(auth.has_value());
  EXPECT_TRUE(
      auth->starts_with("AWS4-HMAC-SHA256 Credential=AKID/20150830/eu-west-1/s3/aws4_request"))
      << *auth;
  EXPECT_NE(auth->find("SignedHeaders=host;x-amz-content-sha256;x-amz-date"), std::string::npos)
      << *auth;
  EXPECT_EQ(http::FindHeader(r.headers, "x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(http::FindHeader(r.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_FALSE(http::FindHeader(r.headers, "host").has_value()) << "curl sends Host itself";
  EXPECT_EQ(auth->find("SECRET"), std::string::npos);
}

TEST(S3ClientTest, VirtualHostedPutsTheBucketInTheHost) {
  auto http = MakeHttp();
  ManualClock clock(FixedTime());
  S3Client client = MakeClient(clock, http, true, {"AKID", "SECRET", "SESSION"});
  ASSERT_TRUE(client.Send({.method = http::Method::kHead, .key = "k"}).ok());
  EXPECT_EQ(http->requests()[0].url, "https://my-bucket.s3.eu-west-1.amazonaws.com/k");
  EXPECT_EQ(http::FindHeader(http->requests()[0].headers, "x-amz-security-token"), "SESSION");
  EXPECT_NE(
      client.PresignGet("k", std::chrono::seconds(60))
          .find("https://my-bucket.s3.eu-west-1.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"),
      std::string::npos);
}

TEST(S3ClientTest, AnonymousRequestsAreUnsigned) {
  auto http = MakeHttp();
  ManualClock clock(FixedTime());
  S3Client client = MakeClient(clock, http, false, {});
  ASSERT_TRUE(client.Send({.method = http::Method::kGet, .key = "k"}).ok());
  EXPECT_FALSE(http::FindHeader(http->requests()[0].headers, "authorization").has_value());
}

TEST(S3ClientTest, RetriesSlowDownButNotNoSuchKey) {
  auto http = MakeHttp();
  ManualClock clock(FixedTime());
  S3Client client = MakeClient(clock, http, false);
  http->Add({.status = 503, .body = "<Error><Code>SlowDown</Code></Error>"});
  http->Add({.transport = Unavailable("connection reset")});
  http->Add({.status = 200, .body = "done"});
  auto r = client.Send({.method = http::Method::kGet, .key = "k"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(http->requests().size(), 3u);

  http->ClearRequests();
  http->Add({.status = 404, .body = "<Error><Code>NoSuchKey</Code></Error>"});
  auto missing = client.Send({.method = http::Method::kGet, .key = "k"});
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_EQ(http->requests().size(), 1u);
  EXPECT_NE(missing.status().message().find("s3://my-bucket/k"), std::string::npos);
}

TEST(S3StoreTest, IfAbsentSendsIfNoneMatchAfterProbingTheServer) {
  auto http = MakeHttp();
  // The probe: first PUT 200, second 412 (the server honours If-None-Match), then the DELETE.
  http->Add({.status = 200});
  http->Add({.status = 412, .body = "<Error><Code>PreconditionFailed</Code></Error>"});
  http->Add({.status = 204});
  http->Add({.status = 200});
  S3StoreOptions options;
  options.endpoint = {.scheme = "http", .authority = "h:1", .bucket = "b", .region = "r"};
  options.prefix = "p/";
  options.http = http;
  auto store = MakeS3Store(options);
  ASSERT_TRUE(store->PutBytes("runs/a.json", "{}", {.if_absent = true}).ok());
  ASSERT_EQ(http->requests().size(), 4u);
  EXPECT_EQ(http::FindHeader(http->requests()[3].headers, "if-none-match"), "*");
  EXPECT_EQ(http->requests()[3].url, "http://h:1/b/p/runs/a.json");
  EXPECT_TRUE(store->SupportsConditionalPut());
}

TEST(S3StoreTest, ServerThatIgnoresIfNoneMatchIsDetected) {
  auto http = MakeHttp();
  // Both probe PUTs succeed: the server ignores the header.
  S3StoreOptions options;
  options.endpoint = {.scheme = "http", .authority = "h:1", .bucket = "b", .region = "r"};
  options.http = http;
  auto store = MakeS3Store(options);
  EXPECT_FALSE(store->SupportsConditionalPut());
}

TEST(S3StoreTest, ExpectedDigestIsSentAsThePayloadHash) {
  auto http = MakeHttp();
  S3StoreOptions options;
  options.endpoint = {.scheme = "http", .authority = "h:1", .bucket = "b", .region = "r"};
  options.credentials = {"AKID", "SECRET", ""};
  options.http = http;
  auto store = MakeS3Store(options);
  std::string sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";  // "hello"
  ASSERT_TRUE(store->PutBytes("k", "hello", {.expected_sha256 = sha}).ok());
  EXPECT_EQ(http::FindHeader(http->requests()[0].headers, "x-amz-content-sha256"), sha);
  // A wrong digest fails before the last byte is handed over, so the server never gets a body.
  http->ClearRequests();
  Status st = store->PutBytes("k", "hellO", {.expected_sha256 = sha});
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
}

TEST(S3StoreTest, BatchDeleteFallsBackToSingleDeletesWhereUnsupported) {
  auto http = MakeHttp();
  http->Add({.status = 501, .body = "<Error><Code>NotImplemented</Code></Error>"});
  S3StoreOptions options;
  options.endpoint = {.scheme = "http", .authority = "h:1", .bucket = "b", .region = "r"};
  options.http = http;
  ManualClock clock;
  options.clock = &clock;
  auto store = MakeS3Store(options);
  std::vector<std::string> keys = {"a", "b"};
  ASSERT_TRUE(store->DeleteMany(keys, nullptr).ok());
  ASSERT_EQ(http->requests().size(), 3u);
  EXPECT_EQ(http->requests()[0].method, http::Method::kPost);
  EXPECT_TRUE(http->requests()[0].url.ends_with("/b?delete=")) << http->requests()[0].url;
  EXPECT_TRUE(http::FindHeader(http->requests()[0].headers, "content-md5").has_value());
  EXPECT_EQ(http->requests()[1].method, http::Method::kDelete);
  EXPECT_EQ(http->requests()[2].url, "http://h:1/b/b");
  EXPECT_FALSE(store->SupportsBatchDelete());
}

}  // namespace
}  // namespace mv::s3
