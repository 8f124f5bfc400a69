// The upstream fetcher's retry rules and DownloadBlob's verification, on a scripted HttpClient (a
// fake for unit tests; the real client against nginx and the fault proxy is in
// tests/integration/mirror_test.sh).
#include "importer/upstream_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "archive/ids.h"
#include "importer/blob_download.h"
#include "store/memory_store.h"
#include "support/scripted_http_client.h"
#include "util/hash.h"

namespace mv::importer {
namespace {

using ::testing::HasSubstr;

using testing::ScriptedHttpClient;

class FetcherTest : public ::testing::Test {
 protected:
  FetcherTest() {
    options_.retry.clock = &clock_;
    options_.retry.max_attempts = 4;
  }
  UpstreamFetcher Make() { return UpstreamFetcher(client_, "http://up.example/debian", options_); }

  std::shared_ptr<ScriptedHttpClient> client_ = std::make_shared<ScriptedHttpClient>();
  FetchOptions options_;
  ManualClock clock_;  // records the retry sleeps without waiting
};

TEST_F(FetcherTest, UrlsKeepPoolNamesAsAptSendsThem) {
  UpstreamFetcher f = Make();
  EXPECT_EQ(f.Url("pool/main/g/gcc/libstdc++6_12.2.0-14_amd64.deb"),
            "http://up.example/debian/pool/main/g/gcc/libstdc++6_12.2.0-14_amd64.deb");
  EXPECT_EQ(f.Url("pool/x/a b%c~1.deb"), "http://up.example/debian/pool/x/a%20b%25c~1.deb");
}

TEST_F(FetcherTest, TransientFailuresAreRetriedAndCounted) {
  client_->Add({.transport = Unavailable("connection reset")});
  client_->Add({.status = 502});
  client_->Add({.status = 200, .body = "index"});
  UpstreamFetcher f = Make();
  auto got = f.GetBytes("dists/x/InRelease", 100);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "index");
  EXPECT_EQ(f.counters().requests.load(), 3u);
  EXPECT_EQ(f.counters().retries.load(), 2u);
  EXPECT_EQ(clock_.sleeps().size(), 2u);
}

TEST_F(FetcherTest, RetryAfterIsHonouredAndCapped) {
  client_->Add({.status = 429, .headers = {{"retry-after", "7"}}});
  client_->Add({.status = 503, .headers = {{"retry-after", "100000"}}});
  client_->Add({.status = 200, .body = "ok"});
  options_.max_retry_after = std::chrono::seconds(60);
  UpstreamFetcher f = Make();
  ASSERT_TRUE(f.GetBytes("x", 10).ok());
  ASSERT_EQ(clock_.sleeps().size(), 2u);
  EXPECT_GE(clock_.sleeps()[0], std::chrono::seconds(7));
  EXPECT_EQ(clock_.sleeps()[1], std::chrono::seconds(60));
}

TEST_F(FetcherTest, NotFoundIsAnswerNotFailureAndPermanentErrorsStop) {
  client_->Add({.status = 404});
  client_->Add({.status = 403});
  UpstreamFetcher f = Make();
  EXPECT_TRUE(f.GetBytes("dists/x/InRelease", 10).status().IsNotFound());
  Status denied = f.GetBytes("dists/x/Release", 10).status();
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(f.counters().requests.load(), 2u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(FetcherTest, GivesUpAfterTheAttemptsNamingTheUrl) {
  for (int i = 0; i < 4; ++i) client_->Add({.status = 500});
  UpstreamFetcher f = Make();
  Status st = f.GetBytes("dists/x/InRelease", 10).status();
  EXPECT_TRUE(st.retryable());
  EXPECT_THAT(st.message(),
              HasSubstr("GET http://up.example/debian/dists/x/InRelease failed 4 times"));
}

TEST_F(FetcherTest, BodiesOverTheBoundAreRefused) {
  client_->Add({.status = 200, .body = std::string(11, 'x')});
  UpstreamFetcher f = Make();
  EXPECT_EQ(f.GetBytes("x", 10).status().code(), StatusCode::kCorruption);
}

TEST_F(FetcherTest, DownloadBlobVerifiesBeforeStoring) {
  auto store = store::MakeMemoryStore();
  const std::string good = "the real .deb";
  const ExpectedFile file{"pool/main/h/hello/hello.deb", good.size(), archive::Sha256Of(good)};
  // A short body (truncated) is retried; then the right bytes are stored under their hash.
  client_->Add({.status = 200, .body = "the real"});
  client_->Add({.status = 200, .body = good});
  UpstreamFetcher f = Make();
  auto blob = DownloadBlob(f, *store, file);
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  EXPECT_EQ(archive::ToHex(blob->sha256), Sha256Hex(good));
  EXPECT_EQ(*store->GetBytes(archive::BlobKey(blob->sha256)), good);
  EXPECT_EQ(f.counters().retries.load(), 1u);

  // The same size with other bytes: refused at once, naming both hashes; nothing stored.
  const std::string evil = "the evil .deb";
  client_->Add({.status = 200, .headers = {{"content-type", "text/html"}}, .body = evil});
  const ExpectedFile other{"pool/main/h/hello/other.deb", good.size(),
                           archive::ParseSha256(std::string(64, 'a')).value()};
  Status st = DownloadBlob(f, *store, other).status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_THAT(st.message(),
              HasSubstr("pool/main/h/hello/other.deb: SHA-256 mismatch: the index lists " +
                        std::string(64, 'a') + ", the upstream sent " + Sha256Hex(evil)));
  EXPECT_THAT(st.message(), HasSubstr("Content-Type text/html"));
  auto listed = store->List({.prefix = "blobs/"});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->objects.size(), 1u);
}

}  // namespace
}  // namespace mv::importer
