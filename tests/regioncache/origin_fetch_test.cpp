// OriginFetcher against a scripted transport and resolver: every hop and every address checked
// before a request is sent, transfers pinned to the checked addresses, the announced length
// enforced; and RegionCache::ForUrl: one copy keyed by the normalised URL, with the origin's
// ETag and length, dropped and made again when the origin changes, refused hops never copied.
#include "regioncache/origin_fetch.h"

#include <gtest/gtest.h>

#include "regioncache/region_cache.h"
#include "store/memory_store.h"
#include "support/scripted_http_client.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"

namespace mv::regioncache {
namespace {

using namespace std::chrono_literals;

using testing::ScriptedHttpClient;

// The origin's transport: an unscripted request fails as an unreachable server does.
std::shared_ptr<ScriptedHttpClient> MakeOrigin() {
  auto client = std::make_shared<ScriptedHttpClient>();
  client->SetUnscripted({.transport = Unavailable("unscripted request")});
  return client;
}

// What was asked: "METHOD url pin=PIN".
std::vector<std::string> SentTo(const ScriptedHttpClient& client) {
  std::vector<std::string> out;
  for (const http::Request& r : client.requests()) {
    out.push_back(std::string(http::MethodName(r.method)) + " " + r.url + " pin=" + r.pin);
  }
  return out;
}

Result<std::vector<IpAddress>> FakeDns(const std::string& host) {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"a.example", {"93.184.216.34", "2606:2800:220:1::1"}},
      {"b.example", {"93.184.216.35"}},
      {"metadata.example", {"169.254.169.254"}},
      {"rebind.example", {"93.184.216.36", "10.0.0.7"}},
      {"localhost", {"127.0.0.1"}},
  };
  if (Result<IpAddress> literal = ParseAddress(host); literal.ok())
    return std::vector<IpAddress>{*literal};
  auto it = table.find(host);
  if (it == table.end()) return NotFound("no host " + host);
  std::vector<IpAddress> out;
  for (const std::string& a : it->second) out.push_back(ParseAddress(a).value());
  return out;
}

http::Headers Headers(std::initializer_list<std::pair<std::string, std::string>> h) {
  return http::Headers(h.begin(), h.end());
}

class OriginFetchTest : public ::testing::Test {
 protected:
  OriginFetcher Make(const std::vector<std::string>& allow) {
    return OriginFetcher(OriginPolicy::FromAllowList(allow).value(), http_, FakeDns);
  }
  std::vector<std::string> Sent() const { return SentTo(*http_); }
  std::shared_ptr<ScriptedHttpClient> http_ = MakeOrigin();
  std::string body_;
  std::unique_ptr<Writer> sink_ = MakeStringWriter(&body_);
};

TEST_F(OriginFetchTest, FetchesPinnedToTheCheckedAddresses) {
  OriginFetcher f = Make({"https://a.example/pub/"});
  http_->Add({.status = 200,
              .headers = Headers(
                  {{"etag", "\"v1\""}, {"content-length", "5"}, {"content-type", "text/plain"}}),
              .body = "hello"});
  AllowedUrl url = f.policy().CheckUrl("https://A.example:443/pub/./x.txt").value();
  Result<OriginObject> got = f.Get(url, *sink_);
  MV_ASSERT_OK(got);
  EXPECT_EQ(body_, "hello");
  EXPECT_EQ(got->etag, "\"v1\"");
  EXPECT_EQ(got->length, 5u);
  EXPECT_EQ(got->content_type, "text/plain");
  EXPECT_EQ(
      Sent(),
      (std::vector<std::string>{
          "GET https://a.example/pub/x.txt pin=a.example:443:93.184.216.34,[2606:2800:220:1::1]"}));
}

TEST_F(OriginFetchTest, RefusesPrivateAndMetadataAddressesBeforeSendingAnything) {
  OriginFetcher f = Make({"https://metadata.example/", "https://rebind.example/"});
  Result<OriginObject> metadata =
      f.Get(f.policy().CheckUrl("https://metadata.example/latest").value(), *sink_);
  EXPECT_EQ(metadata.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(metadata.status().message().find("169.254.169.254"), std::string::npos)
      << metadata.status().message();
  // One private address among public ones is enough to refuse: the transfer could use any.
  Result<OriginObject> rebind =
      f.Get(f.policy().CheckUrl("https://rebind.example/x").value(), *sink_);
  EXPECT_EQ(rebind.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(rebind.status().message().find("10.0.0.7"), std::string::npos);
  EXPECT_TRUE(Sent().empty());
}

TEST_F(OriginFetchTest, ChecksEveryRedirectHop) {
  OriginFetcher f = Make({"https://a.example/pub/", "https://b.example/"});
  // An allowed hop (relative, then absolute to another allowed host) is followed...
  http_->Add({.status = 302, .headers = Headers({{"location", "../pub/moved.bin"}})});
  http_->Add(
      {.status = 301, .headers = Headers({{"location", "https://b.example/final.bin#frag"}})});
  http_->Add({.status = 200, .headers = Headers({{"content-length", "2"}}), .body = "ok"});
  Result<OriginObject> got = f.Get(f.policy().CheckUrl("https://a.example/pub/x").value(), *sink_);
  MV_ASSERT_OK(got);
  EXPECT_EQ(got->url, "https://b.example/final.bin");
  EXPECT_EQ(Sent().size(), 3u);
  EXPECT_EQ(
      Sent()[1],
      "GET https://a.example/pub/moved.bin pin=a.example:443:93.184.216.34,[2606:2800:220:1::1]");
  EXPECT_EQ(Sent()[2], "GET https://b.example/final.bin pin=b.example:443:93.184.216.35");
  // ...one outside the allow list, to plain HTTP, or to the metadata service is not.
  for (std::string location :
       {"https://evil.example/x", "http://a.example/pub/x",
        "http://169.254.169.254/latest/meta-data/", "https://a.example/private"}) {
    http_->Add({.status = 307, .headers = Headers({{"location", location}})});
    Result<OriginObject> refused =
        f.Get(f.policy().CheckUrl("https://a.example/pub/x").value(), *sink_);
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied)
        << location << ": " << refused.status().ToString();
    EXPECT_NE(refused.status().message().find("redirects to a URL that is refused"),
              std::string::npos)
        << refused.status().message();
  }
  EXPECT_EQ(Sent().size(), 7u) << "nothing sent to a refused hop";
}

TEST_F(OriginFetchTest, AtMostFiveRedirects) {
  OriginFetcher f = Make({"https://a.example/"});
  for (int i = 0; i < 6; ++i)
    http_->Add({.status = 302, .headers = Headers({{"location", "/loop"}})});
  Result<OriginObject> got = f.Get(f.policy().CheckUrl("https://a.example/loop").value(), *sink_);
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Sent().size(), 6u);
}

TEST_F(OriginFetchTest, ShortBodiesAndErrorsFail) {
  OriginFetcher f = Make({"https://a.example/"});
  AllowedUrl url = f.policy().CheckUrl("https://a.example/x").value();
  http_->Add({.status = 200, .headers = Headers({{"content-length", "10"}}), .body = "short"});
  Result<OriginObject> short_body = f.Get(url, *sink_);
  EXPECT_FALSE(short_body.ok());
  EXPECT_TRUE(short_body.status().retryable());
  EXPECT_NE(short_body.status().message().find("5 bytes of 10"), std::string::npos);
  http_->Add({.status = 404});
  EXPECT_TRUE(f.Get(url, *sink_).status().IsNotFound());
  http_->Add({.status = 503});
  EXPECT_TRUE(f.Get(url, *sink_).status().retryable());
  Result<OriginObject> unknown = f.Get(f.policy().CheckUrl("https://a.example/x").value(), *sink_);
  EXPECT_FALSE(unknown.ok());  // unscripted: the transport failed
  // A loopback origin is reached only when its entry names it.
  OriginFetcher local = Make({"http://localhost:8080/"});
  http_->Add({.status = 200, .headers = Headers({{"content-length", "1"}}), .body = "l"});
  MV_EXPECT_OK(local.Get(local.policy().CheckUrl("http://localhost:8080/f").value(), *sink_));
}

// RegionCache::ForUrl on a memory region store.
class UrlCopyTest : public ::testing::Test {
 protected:
  std::unique_ptr<RegionCache> Make(std::chrono::milliseconds revalidate,
                                    const std::string& state_file = "state.db") {
    config_.wait = 5s;
    config_.revalidate = revalidate;
    config_.regions = {RegionConfig{.name = "r1",
                                    .store = "memory://",
                                    .redirect = RedirectMode::kPublic,
                                    .public_base = "https://r1.example/"}};
    auto db = db::OpenDatabase("sqlite://" + dir_.path() + "/" + state_file);
    EXPECT_TRUE(db.ok());
    auto state = OpenCatalogCopyState(*db);
    EXPECT_TRUE(state.ok());
    auto origins = std::make_shared<const OriginFetcher>(
        OriginPolicy::FromAllowList({"https://a.example/"}).value(), http_, FakeDns);
    return std::make_unique<RegionCache>(
        config_, std::map<std::string, std::shared_ptr<store::ObjectStore>>{{"r1", region_}},
        std::move(*state), "i", nullptr, origins);
  }
  void Origin(const std::string& etag, const std::string& body) {
    http_->Add(
        {.status = 200,
         .headers = Headers({{"etag", etag}, {"content-length", std::to_string(body.size())}}),
         .body = body});
  }
  mv::testing::TempDir dir_;
  RegionCacheConfig config_;
  std::vector<std::string> Sent() const { return SentTo(*http_); }
  std::shared_ptr<ScriptedHttpClient> http_ = MakeOrigin();
  std::shared_ptr<store::ObjectStore> region_ = store::MakeMemoryStore();
};

TEST_F(UrlCopyTest, CopiesOnceKeyedByTheNormalisedUrlAndKeepsTheOriginsEtag) {
  auto cache = Make(1h);
  const AllowedUrl url = cache->origin_policy()->CheckUrl("https://a.example/./f%7e.bin").value();
  const std::string key = RegionCache::UrlKey("https://a.example/f~.bin");
  Origin("\"e1\"", "origin bytes");
  Result<Redirect> first = cache->ForUrl("r1", url);
  MV_ASSERT_OK(first);
  EXPECT_FALSE(first->fallback) << first->reason;
  EXPECT_EQ(first->location, "https://r1.example/" + key);
  EXPECT_EQ(region_->GetBytes(key).value(), "origin bytes");
  Result<store::ObjectInfo> info = region_->Head(key);
  MV_ASSERT_OK(info);
  EXPECT_EQ(info->metadata["mv-origin-etag"], "\"e1\"");
  EXPECT_EQ(info->metadata["mv-origin-url"], "https://a.example/f~.bin");
  // The same object under another spelling: a hit, no request to the origin.
  const AllowedUrl same = cache->origin_policy()->CheckUrl("HTTPS://A.EXAMPLE:443/f~.bin").value();
  Result<std::optional<Redirect>> hit = cache->TryHitUrl("r1", same);
  MV_ASSERT_OK(hit);
  ASSERT_TRUE(hit->has_value());
  EXPECT_TRUE((*hit)->hit);
  EXPECT_EQ(Sent().size(), 1u);
}

TEST_F(UrlCopyTest, RevalidatesAndRecopiesWhenTheOriginChanged) {
  auto cache = Make(0ms);  // every request checks the origin
  const AllowedUrl url = cache->origin_policy()->CheckUrl("https://a.example/v.bin").value();
  const std::string key = RegionCache::UrlKey(url.url);
  Origin("\"e1\"", "version one");
  MV_ASSERT_OK(cache->ForUrl("r1", url));
  // Unchanged: a HEAD, then a hit.
  http_->Add({.status = 200, .headers = Headers({{"etag", "\"e1\""}, {"content-length", "11"}})});
  Result<std::optional<Redirect>> due = cache->TryHitUrl("r1", url);
  MV_ASSERT_OK(due);
  EXPECT_FALSE(due->has_value()) << "a due check is not answered from memory";
  Result<Redirect> same = cache->ForUrl("r1", url);
  MV_ASSERT_OK(same);
  EXPECT_TRUE(same->hit);
  // Changed: the copy is dropped and made again from the new bytes.
  http_->Add({.status = 200, .headers = Headers({{"etag", "\"e2\""}, {"content-length", "11"}})});
  Origin("\"e2\"", "version two");
  Result<Redirect> changed = cache->ForUrl("r1", url);
  MV_ASSERT_OK(changed);
  EXPECT_FALSE(changed->hit);
  EXPECT_FALSE(changed->fallback) << changed->reason;
  EXPECT_EQ(region_->GetBytes(key).value(), "version two");
  // The origin down: the copy is served as it is.
  Result<Redirect> down = cache->ForUrl("r1", url);  // unscripted HEAD fails
  MV_ASSERT_OK(down);
  EXPECT_TRUE(down->hit);
  std::vector<std::string> sent = Sent();
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_TRUE(sent[1].starts_with("HEAD ")) << sent[1];
  EXPECT_TRUE(sent[3].starts_with("GET ")) << sent[3];
}

TEST_F(UrlCopyTest, ALostStateIsRebuiltWithTheUrlCopiesAndTheirLengthIsChecked) {
  auto cache = Make(1h);
  const AllowedUrl url = cache->origin_policy()->CheckUrl("https://a.example/kept.bin").value();
  Origin("\"e1\"", "kept bytes");
  MV_ASSERT_OK(cache->ForUrl("r1", url));
  cache.reset();
  auto rebuilt = Make(1h, "lost.db");  // a fresh state over the same region store
  Result<int> restored = rebuilt->Rebuild("r1");
  MV_ASSERT_OK(restored);
  EXPECT_EQ(*restored, 1);
  // A new instance checks the origin first: the same length (no ETag was listed) is a hit.
  http_->Add({.status = 200, .headers = Headers({{"etag", "\"e1\""}, {"content-length", "10"}})});
  Result<Redirect> r = rebuilt->ForUrl("r1", url);
  MV_ASSERT_OK(r);
  EXPECT_TRUE(r->hit);
  EXPECT_EQ(Sent().size(), 2u) << "a HEAD, no second GET";
}

TEST_F(UrlCopyTest, ARefusedHopIsReportedAndNothingIsCopied) {
  auto cache = Make(1h);
  const AllowedUrl url = cache->origin_policy()->CheckUrl("https://a.example/r").value();
  http_->Add({.status = 302, .headers = Headers({{"location", "https://metadata.example/"}})});
  Result<Redirect> r = cache->ForUrl("r1", url);
  MV_ASSERT_OK(r);
  EXPECT_TRUE(r->fallback);
  EXPECT_EQ(r->failure.code(), StatusCode::kPermissionDenied) << r->failure.ToString();
  EXPECT_TRUE(region_->Head(RegionCache::UrlKey(url.url)).status().IsNotFound());
}

}  // namespace
}  // namespace mv::regioncache
