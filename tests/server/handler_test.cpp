// The handlers without sockets: two runs of a small archive (a suite with binary and source
// packages, a symlink, an awkward file name) imported into a local store and a SQLite catalog,
// then requests straight to Handler::Handle. Files, ranges, validators, canonical redirects,
// listings, the /mr/ API, the pages, the caches and the refusals.
#include "server/handler.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "archive/ids.h"
#include "archive/node_source.h"
#include "jobs/queue.h"
#include "pkgindex/suite_fixture.h"
#include "server/admin_api.h"
#include "store/fault_injecting_store.h"
#include "store/open_store.h"
#include "support/temp_dir.h"
#include "util/clock.h"
#include "util/hash.h"

namespace mv::server {
namespace {

namespace json = boost::json;
using testing::Pkg;

std::string Sha1Hex(std::string_view data) {
  ContentHasher h;
  h.Update(data);
  return DigestHex(h.Finish().sha1);
}

constexpr const char* kR1 = "20240101T000000Z";
constexpr const char* kR2 = "20240201T000000Z";

class HandlerTest : public testing::SuiteFixture {
 protected:
  void SetUp() override {
    SuiteFixture::SetUp();
    WriteSuite({{"hello", "1.0"}, {"libfoo1", "2.0", "foo"}}, {{"hello", "1.0"}, {"foo", "2.0"}});
    Write("dists/stable", "");  // replaced by a symlink below
    std::filesystem::remove(mirror_ + "/dists/stable");
    std::filesystem::create_directory_symlink("bookworm", mirror_ + "/dists/stable");
    Write("doc/<b>&\"odd\".txt", "odd name");
    ASSERT_TRUE(ImportIndexed(kR1).ok());
    WriteSuite({{"hello", "2.0"}, {"libfoo1", "2.0", "foo"}}, {{"hello", "2.0"}, {"foo", "2.0"}});
    std::filesystem::create_directory_symlink("bookworm", mirror_ + "/dists/stable");
    ASSERT_TRUE(ImportIndexed(kR2).ok());
    counting_ = std::make_shared<store::FaultInjectingStore>(store_);
    Start(archive::MakeCachedNodeSource(store_, catalog_.get()));
  }

  void Start(std::unique_ptr<archive::NodeSource> nodes, ServeOptions options = {}) {
    handler_.reset();
    view_ = std::make_unique<ArchiveView>(catalog_.get(), std::move(nodes), SystemClock());
    handler_ = std::make_unique<Handler>(
        ServeContext{*view_, *catalog_, *index_, *store_, SystemClock(), options}, &metrics_);
  }

  httpd::Response Get(const std::string& target,
                      std::vector<std::pair<std::string, std::string>> hs = {},
                      std::string method = "GET") {
    httpd::Request r;
    r.method = std::move(method);
    r.target = target;
    for (auto& [k, v] : hs) {
      if (k == "Accept") r.accept = v;
      if (k == "Range") r.range = v;
      if (k == "If-None-Match") r.if_none_match = v;
      if (k == "If-Modified-Since") r.if_modified_since = v;
      if (k == "If-Range") r.if_range = v;
    }
    httpd::Response response = handler_->Handle(r);
    // What waits (a region copy's miss) is left to finish as the server would, elsewhere.
    if (response.finish) return response.finish();
    return response;
  }

  // The bytes a response carries, reading a blob body from the store as the server does.
  std::string Body(const httpd::Response& r) {
    if (!r.blob) return r.body;
    std::string out;
    auto writer = MakeStringWriter(&out);
    store::GetOptions get;
    get.range = store::ByteRange{r.blob->offset, r.blob->offset + r.blob->length - 1};
    EXPECT_TRUE(store_->Get(r.blob->key, *writer, get).ok());
    return out;
  }

  static std::string Header(const httpd::Response& r, std::string_view name) {
    const std::string* v = r.Find(name);
    return v ? *v : "";
  }

  json::value Json(const httpd::Response& r) {
    EXPECT_EQ(Header(r, "Content-Type"), "application/json");
    return json::parse(r.body);
  }

  std::shared_ptr<store::FaultInjectingStore> counting_;
  std::unique_ptr<ArchiveView> view_;
  ServerMetrics metrics_;
  std::unique_ptr<Handler> handler_;
};

const std::string kHelloDeb = "pool/main/h/hello/hello_1.0_amd64.deb";

TEST_F(HandlerTest, FileOfACanonicalRun) {
  httpd::Response r = Get(std::string("/archive/debian/") + kR1 + "/" + kHelloDeb);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r), "deb hello 1.0");
  EXPECT_EQ(Header(r, "ETag"), "\"" + Sha256Hex("deb hello 1.0") + "\"");
  EXPECT_EQ(Header(r, "Last-Modified"), "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(r, "Accept-Ranges"), "bytes");
  EXPECT_EQ(Header(r, "Content-Type"), "application/vnd.debian.binary-package");
}

TEST_F(HandlerTest, MomentsPickTheRunAtOrBefore) {
  // hello 1.0 is gone from the second run.
  EXPECT_EQ(Get("/archive/debian/now/" + kHelloDeb).status, 404);
  EXPECT_EQ(Get("/archive/debian/20240131/" + kHelloDeb).status, 200);
  httpd::Response now = Get("/archive/debian/now/pool/main/h/hello/hello_2.0_amd64.deb");
  ASSERT_EQ(now.status, 200);
  EXPECT_EQ(Header(now, "Cache-Control"), "public, max-age=60");
  EXPECT_EQ(Header(now, "Last-Modified"), "Thu, 01 Feb 2024 00:00:00 GMT");
  httpd::Response early = Get("/archive/debian/20231231/" + kHelloDeb);
  EXPECT_EQ(early.status, 404);
  EXPECT_NE(early.body.find("earliest run is 20240101T000000Z"), std::string::npos) << early.body;
  httpd::Response bad = Get("/archive/debian/2024-01-01/" + kHelloDeb);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("bad timestamp"), std::string::npos) << bad.body;
  EXPECT_EQ(Get("/archive/nosuch/now/x").status, 404);
}

TEST_F(HandlerTest, DirectoriesRedirectToTheCanonicalRunThenList) {
  httpd::Response r = Get("/archive/debian/now/dists");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(Header(r, "Location"), std::string("/archive/debian/") + kR2 + "/dists/");
  r = Get("/archive/debian/20240115/");
  EXPECT_EQ(Header(r, "Location"), std::string("/archive/debian/") + kR1 + "/");
  r = Get(std::string("/archive/debian/") + kR1 + "/dists");  // canonical, no slash
  EXPECT_EQ(Header(r, "Location"), std::string("/archive/debian/") + kR1 + "/dists/");

  httpd::Response html = Get(std::string("/archive/debian/") + kR1 + "/dists/bookworm/");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("<a href=\"/archive/debian/20240101T000000Z/dists/bookworm/Release\">"
                           "Release</a>"),
            std::string::npos)
      << html.body;
  EXPECT_NE(html.body.find("newer run (20240201T000000Z)"), std::string::npos);

  httpd::Response js =
      Get(std::string("/archive/debian/") + kR1 + "/dists/", {{"Accept", "application/json"}});
  ASSERT_EQ(js.status, 200);
  json::value doc = Json(js);
  EXPECT_EQ(doc.at("run").as_string(), kR1);
  EXPECT_EQ(doc.at("path").as_string(), "/dists/");
  const json::array& entries = doc.at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at("name").as_string(), "bookworm");
  EXPECT_EQ(entries[0].at("type").as_string(), "directory");
  EXPECT_EQ(entries[1].at("name").as_string(), "stable");
  EXPECT_EQ(entries[1].at("target").as_string(), "bookworm");

  // A file asked for as a directory.
  EXPECT_EQ(Get(std::string("/archive/debian/") + kR1 + "/" + kHelloDeb + "/").status, 404);
}

TEST_F(HandlerTest, SymlinksAreFollowed) {
  httpd::Response r = Get(std::string("/archive/debian/") + kR1 + "/dists/stable/Release");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Body(r).find("Suite: bookworm"), std::string::npos);
  EXPECT_EQ(Get(std::string("/archive/debian/") + kR1 + "/dists/stable").status, 301);
}

TEST_F(HandlerTest, RangesAndValidators) {
  const std::string url = std::string("/archive/debian/") + kR1 + "/" + kHelloDeb;  // 13 bytes
  httpd::Response r = Get(url, {{"Range", "bytes=4-8"}});
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(Body(r), "hello");
  EXPECT_EQ(Header(r, "Content-Range"), "bytes 4-8/13");
  EXPECT_EQ(Body(Get(url, {{"Range", "bytes=-3"}})), "1.0");
  EXPECT_EQ(Body(Get(url, {{"Range", "bytes=10-"}})), "1.0");
  EXPECT_EQ(Body(Get(url, {{"Range", "bytes=10-999"}})), "1.0");
  httpd::Response past = Get(url, {{"Range", "bytes=13-"}});
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(Header(past, "Content-Range"), "bytes */13");
  EXPECT_EQ(Get(url, {{"Range", "bytes=abc"}}).status, 416);
  EXPECT_EQ(Get(url, {{"Range", "bytes=5-2"}}).status, 416);
  EXPECT_EQ(Get(url, {{"Range", "bytes=0-1,4-5"}}).status, 200);  // several ranges: the whole
  EXPECT_EQ(Get(url, {{"Range", "lines=1-2"}}).status, 200);      // another unit: ignored

  const std::string etag = "\"" + Sha256Hex("deb hello 1.0") + "\"";
  EXPECT_EQ(Get(url, {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(Get(url, {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
  EXPECT_EQ(Get(url, {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(Get(url, {{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}}).status, 304);
  EXPECT_EQ(Get(url, {{"If-Modified-Since", "Sun, 31 Dec 2023 23:59:59 GMT"}}).status, 200);
  // If-Range: the range only while the validator still matches.
  EXPECT_EQ(Get(url, {{"Range", "bytes=0-2"}, {"If-Range", etag}}).status, 206);
  EXPECT_EQ(Get(url, {{"Range", "bytes=0-2"}, {"If-Range", "\"stale\""}}).status, 200);
  // HEAD answers like GET (the server leaves the body out).
  httpd::Response head = Get(url, {}, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.ContentLength(), 13u);
}

TEST_F(HandlerTest, WarmLookupsTouchNeitherStoreNorCatalog) {
  // Trees straight from a counting store (no catalog cache): the first request reads nodes,
  // the second none.
  Start(archive::MakeStoreNodeSource(counting_));
  const std::string url =
      std::string("/archive/debian/") + kR1 + "/dists/stable/main/binary-amd64/Packages";
  ASSERT_EQ(Get(url, {}, "HEAD").status, 200);
  uint64_t gets = counting_->Calls(store::StoreOp::kGet);
  EXPECT_GT(gets, 0u);
  ViewStats before = view_->Stats();
  ASSERT_EQ(Get(url, {}, "HEAD").status, 200);
  EXPECT_EQ(counting_->Calls(store::StoreOp::kGet), gets);
  ViewStats after = view_->Stats();
  EXPECT_EQ(after.lookup_hits, before.lookup_hits + 1);
  EXPECT_EQ(after.lookup_misses, before.lookup_misses);
  EXPECT_EQ(after.run_list_misses, before.run_list_misses);  // the run list came from memory too
}

TEST_F(HandlerTest, RunListsFollowTheCatalogReadingOnlyWhatChanged) {
  ManualClock clock;
  ArchiveView view(catalog_.get(), archive::MakeCachedNodeSource(store_, catalog_.get()), clock,
                   {.run_list_ttl = std::chrono::seconds(2)});
  auto ids = [&] {
    std::vector<std::string> out;
    Result<std::shared_ptr<const RunList>> runs = view.Runs("debian");
    EXPECT_TRUE(runs.ok()) << runs.status().ToString();
    if (runs.ok()) {
      for (const RunInfo& r : **runs) out.push_back(r.run_id.ToString());
    }
    return out;
  };
  EXPECT_EQ(ids(), (std::vector<std::string>{kR1, kR2}));
  EXPECT_EQ(view.Stats().run_rows_read, 2u);

  // Past the TTL with nothing new: the change counter says so, and no run is read again.
  clock.Advance(std::chrono::seconds(3));
  EXPECT_EQ(ids(), (std::vector<std::string>{kR1, kR2}));
  EXPECT_EQ(view.Stats().run_rows_read, 2u);

  // A later run: only it is read.
  const char* r3 = "20240301T000000Z";
  ASSERT_TRUE(ImportIndexed(r3).ok());
  EXPECT_EQ(ids(), (std::vector<std::string>{kR1, kR2}));  // within the TTL: the list held
  clock.Advance(std::chrono::seconds(3));
  EXPECT_EQ(ids(), (std::vector<std::string>{kR1, kR2, r3}));
  EXPECT_EQ(view.Stats().run_rows_read, 3u);

  // A run recorded before the newest (a back-fill): the whole list again, in order.
  const char* r0 = "20231201T000000Z";
  ASSERT_TRUE(ImportIndexed(r0).ok());
  clock.Advance(std::chrono::seconds(3));
  EXPECT_EQ(ids(), (std::vector<std::string>{r0, kR1, kR2, r3}));
  EXPECT_EQ(view.Stats().run_rows_read, 3u + 4u);
}

TEST_F(HandlerTest, FilesByHash) {
  const std::string content = "deb hello 1.0";
  httpd::Response by256 = Get("/file/" + Sha256Hex(content));
  ASSERT_EQ(by256.status, 200);
  EXPECT_EQ(Body(by256), content);
  EXPECT_EQ(Header(by256, "Cache-Control"), "public, max-age=31536000, immutable");
  httpd::Response by1 = Get("/file/" + Sha1Hex((content)));
  ASSERT_EQ(by1.status, 200);
  EXPECT_EQ(Body(by1), content);
  EXPECT_EQ(Get("/file/" + std::string(64, 'a')).status, 404);
  EXPECT_EQ(Get("/file/xyz").status, 400);
}

TEST_F(HandlerTest, MrPackagesAndVersions) {
  json::value all = Json(Get("/mr/package/"));
  EXPECT_TRUE(all.as_object().contains("_comment"));
  EXPECT_EQ(json::serialize(all.at("result")), R"([{"package":"foo"},{"package":"hello"}])");
  json::value versions = Json(Get("/mr/package/hello/"));
  EXPECT_EQ(versions.at("package").as_string(), "hello");
  EXPECT_EQ(json::serialize(versions.at("result")), R"([{"version":"2.0"},{"version":"1.0"}])");
  httpd::Response missing = Get("/mr/package/nosuch/");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(Json(missing).as_object().contains("error"));
  EXPECT_EQ(Get("/mr/package/hello/9.9/srcfiles").status, 404);
}

TEST_F(HandlerTest, MrSourceFilesWithFileInfo) {
  json::value doc = Json(Get("/mr/package/hello/1.0/srcfiles?fileinfo=1"));
  EXPECT_EQ(doc.at("version").as_string(), "1.0");
  const json::array& result = doc.at("result").as_array();
  ASSERT_EQ(result.size(), 2u);
  const std::string dsc_sha1 = Sha1Hex(("dsc 1.0"));
  bool found = false;
  for (const auto& f : result) {
    if (f.at("hash").as_string() == dsc_sha1) {
      found = true;
      EXPECT_EQ(f.at("sha256").as_string(), Sha256Hex("dsc 1.0"));
    }
  }
  EXPECT_TRUE(found);
  const json::array& info = doc.at("fileinfo").at(dsc_sha1).as_array();
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].at("archive_name").as_string(), "debian");
  EXPECT_EQ(info[0].at("name").as_string(), "hello_1.0.dsc");
  EXPECT_EQ(info[0].at("path").as_string(), "/pool/main/h/hello");
  EXPECT_EQ(info[0].at("size").as_int64(), 7);
  EXPECT_EQ(info[0].at("first_seen").as_string(), kR1);
}

TEST_F(HandlerTest, MrBinaries) {
  json::value bins = Json(Get("/mr/package/foo/2.0/binpackages"));
  EXPECT_EQ(json::serialize(bins.at("result")), R"([{"name":"libfoo1","version":"2.0"}])");
  json::value files = Json(Get("/mr/package/foo/2.0/binfiles/libfoo1/2.0?fileinfo=1"));
  ASSERT_EQ(files.at("result").as_array().size(), 1u);
  EXPECT_EQ(files.at("result").at(0).at("architecture").as_string(), "amd64");
  EXPECT_EQ(files.at("binary").as_string(), "libfoo1");
  EXPECT_TRUE(files.as_object().contains("fileinfo"));
  EXPECT_EQ(Get("/mr/package/foo/2.0/binfiles/libfoo1/9").status, 404);

  json::value all = Json(Get("/mr/package/foo/2.0/allfiles"));
  EXPECT_EQ(all.at("result").at("source").as_array().size(), 2u);
  EXPECT_EQ(all.at("result").at("binaries").at(0).at("name").as_string(), "libfoo1");

  json::value binary = Json(Get("/mr/binary/libfoo1/"));
  EXPECT_EQ(json::serialize(binary.at("result")),
            R"([{"name":"libfoo1","binary_version":"2.0","source":"foo","version":"2.0"}])");
  json::value bfiles = Json(Get("/mr/binary/libfoo1/2.0/binfiles"));
  EXPECT_EQ(bfiles.at("result").at(0).at("hash").as_string(), Sha1Hex(("deb libfoo1 2.0")));
  EXPECT_EQ(Get("/mr/binary/nosuch/").status, 404);
}

TEST_F(HandlerTest, MrFileInfoAndTimestamps) {
  for (std::string hash : {Sha1Hex(("deb hello 1.0")), Sha256Hex("deb hello 1.0")}) {
    json::value doc = Json(Get("/mr/file/" + hash + "/info"));
    const json::array& r = doc.at("result").as_array();
    ASSERT_EQ(r.size(), 1u) << json::serialize(doc);
    EXPECT_EQ(r[0].at("name").as_string(), "hello_1.0_amd64.deb");
    EXPECT_EQ(r[0].at("first_seen").as_string(), kR1);
  }
  EXPECT_EQ(Get("/mr/file/" + std::string(40, '0') + "/info").status, 404);

  json::value ts = Json(Get("/mr/timestamp/"));
  EXPECT_EQ(json::serialize(ts.at("result")),
            R"({"debian":["20240101T000000Z","20240201T000000Z"]})");
  ts = Json(Get("/mr/timestamp/?archive=debian&after=20240101T000000Z"));
  EXPECT_EQ(json::serialize(ts.at("result")), R"({"debian":["20240201T000000Z"]})");
  ts = Json(Get("/mr/timestamp/?before=20240102"));
  EXPECT_EQ(json::serialize(ts.at("result")), R"({"debian":["20240101T000000Z"]})");
  EXPECT_EQ(Get("/mr/timestamp/?archive=nosuch").status, 404);
  EXPECT_EQ(Get("/mr/timestamp/?after=yesterday").status, 400);
}

TEST_F(HandlerTest, MrRunsExtension) {
  json::value doc = Json(Get("/mr/package/foo/2.0/runs"));
  const json::array& r = doc.at("result").as_array();
  ASSERT_EQ(r.size(), 2u) << json::serialize(doc);  // the source and libfoo1 on amd64
  for (const auto& row : r) {
    EXPECT_EQ(row.at("suite").as_string(), "bookworm");
    EXPECT_EQ(json::serialize(row.at("runs")), R"(["20240101T000000Z","20240201T000000Z"])");
  }
  json::value hello = Json(Get("/mr/package/hello/1.0/runs"));
  EXPECT_EQ(json::serialize(hello.at("result").at(0).at("runs")), R"(["20240101T000000Z"])");
}

TEST_F(HandlerTest, Pages) {
  httpd::Response home = Get("/");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("<a class=\"archive\" href=\"/archive/debian/\">debian</a>"),
            std::string::npos);
  httpd::Response runs = Get("/archive/debian/");
  ASSERT_EQ(runs.status, 200);
  EXPECT_NE(runs.body.find("<h2>2024</h2>"), std::string::npos);
  EXPECT_NE(runs.body.find("<h3>February</h3>"), std::string::npos);
  EXPECT_LT(runs.body.find(kR2), runs.body.find("<h3>January</h3>"));  // newest first
  EXPECT_EQ(Get("/archive/debian").status, 301);

  httpd::Response pkg = Get("/package/hello/");
  ASSERT_EQ(pkg.status, 200);
  EXPECT_LT(pkg.body.find("hello 2.0"), pkg.body.find("hello 1.0"));
  EXPECT_NE(pkg.body.find("/file/" + Sha256Hex("dsc 1.0")), std::string::npos);
  EXPECT_EQ(Get("/package/libfoo1/").status, 200);  // a binary: points at its source
  EXPECT_EQ(Get("/package/nosuch/").status, 404);
  httpd::Response exact = Get("/package/?q=HELLO");
  EXPECT_EQ(exact.status, 302);
  EXPECT_EQ(Header(exact, "Location"), "/package/hello/");
  httpd::Response prefix = Get("/package/?q=f");
  EXPECT_NE(prefix.body.find("href=\"/package/foo/\""), std::string::npos);
}

TEST_F(HandlerTest, EverythingShownIsEscaped) {
  httpd::Response r = Get(std::string("/archive/debian/") + kR1 + "/doc/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("<b>&\"odd"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;b&gt;&amp;&quot;odd&quot;.txt"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("%3Cb%3E%26%22odd%22.txt"), std::string::npos);  // the link, encoded
  EXPECT_EQ(Get("/package/?q=h%C3%A9").status, 200);  // non-ASCII: no match, no error
  httpd::Response search = Get("/package/?q=%3Cscript%3E");
  EXPECT_EQ(search.body.find("<script>"), std::string::npos);
}

TEST_F(HandlerTest, RefusalsAndOperations) {
  EXPECT_EQ(Get("/archive/debian/now/x", {}, "POST").status, 405);
  EXPECT_EQ(*Get("/", {}, "DELETE").Find("Allow"), "GET, HEAD");
  EXPECT_EQ(Get("/archive/debian/now/../../etc/passwd").status, 400);
  EXPECT_EQ(Get("/archive/debian/now/%2e%2e/x").status, 400);
  EXPECT_EQ(Get("/" + std::string(9000, 'a')).status, 414);
  EXPECT_EQ(Get("/nowhere").status, 404);
  EXPECT_EQ(Get("/healthz").body, "ok\n");
  httpd::Response m = Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("mirrorvault_cache_requests_total{cache=\"path\",result=\"hit\"}"),
            std::string::npos);
}

TEST_F(HandlerTest, BlobRedirectNeedsAPresigningStore) {
  Start(archive::MakeCachedNodeSource(store_, catalog_.get()), {.blob_redirect = true});
  // A local store cannot presign: the request fails with a reason rather than serving bytes.
  httpd::Response r = Get(std::string("/archive/debian/") + kR1 + "/" + kHelloDeb);
  EXPECT_NE(r.status, 200);
  EXPECT_FALSE(r.blob.has_value());
}

// /jobs/: the import service's page, from the queue in the same catalog; escaped; JSON too; a
// 404 where the server has no queue; and the job metrics on /metrics.
TEST_F(HandlerTest, TheImportServicePageAndMetrics) {
  EXPECT_EQ(Get("/jobs/").status, 404);
  auto queue = jobs::JobQueue::Open(database_);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  auto bad =
      (*queue)->Enqueue({.kind = jobs::JobKind::kMirror, .archive = "<evil>", .origin = "t"});
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE((*queue)->Claim("w/0").ok());
  ASSERT_TRUE((*queue)
                  ->Fail(*bad, "w/0", InvalidArgument("InRelease: signature not accepted <script>"))
                  .ok());
  AdminContext admin{.queue = queue->get()};
  ServeContext context{*view_, *catalog_, *index_, *store_, SystemClock(), {}};
  context.admin = &admin;
  handler_ = std::make_unique<Handler>(context, &metrics_);
  httpd::Response page = Get("/jobs/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("&lt;evil&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos) << "unescaped";
  EXPECT_NE(page.body.find("class=\"state-failed\""), std::string::npos);
  EXPECT_NE(page.body.find("signature not accepted"), std::string::npos);
  httpd::Response json = Get("/jobs/", {{"Accept", "application/json"}});
  ASSERT_EQ(json.status, 200);
  EXPECT_NE(json.body.find("\"failures\":[{"), std::string::npos) << json.body;
  httpd::Response metrics = Get("/metrics");
  EXPECT_NE(metrics.body.find("mirrorvault_jobs{kind=\"mirror\",state=\"failed\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("mirrorvault_jobs_failed_by_class{class=\"signature\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("mirrorvault_archive_runs{archive=\"debian\"} 2"), std::string::npos)
      << metrics.body.substr(0, 2000);
  // The admin API stays off without a token, whoever asks.
  EXPECT_EQ(Get("/admin/jobs").status, 404);
}

// /redirect/v1/: the region cache behind the routes: a copy made on the first request (miss),
// a hit after; "auto" by the client's address; refusals; the region metrics.
TEST_F(HandlerTest, RegionRedirects) {
  mv::testing::TempDir dir;
  regioncache::RegionCacheConfig rc;
  rc.regions.push_back(
      regioncache::RegionConfig{.name = "r1",
                                .store = "file://" + dir.path(),
                                .cidrs = {regioncache::ParseRange("10.0.0.0/8").value()},
                                .redirect = regioncache::RedirectMode::kPublic,
                                .public_base = "https://r1.example/"});
  auto region_store = store::OpenStore("file://" + dir.path(), {});
  ASSERT_TRUE(region_store.ok());
  auto state = regioncache::OpenCatalogCopyState(database_);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  regioncache::RegionCache cache(rc, {{"r1", *region_store}}, std::move(*state), "test");
  regioncache::RegionMap map(rc);
  ServeContext context{*view_, *catalog_, *index_, *store_, SystemClock(), {}};
  context.regions = {&cache, &map};
  handler_ = std::make_unique<Handler>(context, &metrics_);

  const std::string hash = Sha256Hex("odd name");
  const std::string key = archive::BlobKey(archive::ParseSha256(hash).value());
  httpd::Response first = Get("/redirect/v1/r1/file/" + hash);
  ASSERT_EQ(first.status, 302) << first.body;
  ASSERT_NE(first.Find("Location"), nullptr);
  EXPECT_EQ(*first.Find("Location"), "https://r1.example/" + key);
  EXPECT_EQ(*first.Find("X-Mirrorvault-Cache"), "miss");
  Result<std::string> copied = (*region_store)->GetBytes(key);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(*copied, "odd name");
  httpd::Response second =
      Get(std::string("/redirect/v1/r1/archive/debian/") + kR1 + "/doc/%3Cb%3E%26%22odd%22.txt");
  ASSERT_EQ(second.status, 302) << second.body;
  EXPECT_EQ(*second.Find("X-Mirrorvault-Cache"), "hit");
  // auto: by the client's address.
  httpd::Request r;
  r.method = "GET";
  r.target = "/redirect/v1/auto/file/" + hash;
  r.client = "10.1.2.3";
  httpd::Response by_address = handler_->Handle(r);
  ASSERT_EQ(by_address.status, 302) << by_address.body;
  EXPECT_EQ(*by_address.Find("X-Mirrorvault-Region"), "r1");
  r.client = "192.0.2.9";
  r.forwarded_for = "10.1.2.3";  // not from a trusted proxy: ignored
  EXPECT_EQ(handler_->Handle(r).status, 404);
  // Refusals.
  EXPECT_EQ(Get("/redirect/v1/nowhere/file/" + hash).status, 404);
  EXPECT_EQ(Get("/redirect/v1/r1/file/" + Sha256Hex("absent")).status, 404);
  EXPECT_EQ(Get("/redirect/v1/r1/archive/debian/now/dists/").status, 400);
  EXPECT_EQ(Get("/redirect/v1/r1/file/xyz").status, 400);
  EXPECT_EQ(Get("/redirect/v1/r1/file/" + hash, {}, "POST").status, 405);
  // No allow list: no origin URL is fetched.
  httpd::Response url = Get("/redirect/v1/r1/url?u=https%3A%2F%2Fa.example%2Fx");
  EXPECT_EQ(url.status, 403);
  EXPECT_NE(url.body.find("allow is empty"), std::string::npos) << url.body;
  // A purge needs the admin token; then the copy is gone, and made again on the next request.
  EXPECT_EQ(Get("/redirect/v1/r1/file/" + hash, {}, "DELETE").status, 404) << "admin API off";
  AdminContext admin{.token = "tok"};
  context.admin = &admin;
  handler_ = std::make_unique<Handler>(context, &metrics_);
  EXPECT_EQ(Get("/redirect/v1/r1/file/" + hash, {}, "DELETE").status, 401);
  httpd::Request purge;
  purge.method = "DELETE";
  purge.target = "/redirect/v1/r1/file/" + hash;
  purge.authorization = "Bearer tok";
  httpd::Response purged = handler_->Handle(purge);
  EXPECT_EQ(purged.status, 200) << purged.body;
  EXPECT_FALSE((*region_store)->Head(key).ok());
  EXPECT_EQ(handler_->Handle(purge).status, 404) << "nothing left to purge";
  httpd::Response again = Get("/redirect/v1/r1/file/" + hash);
  ASSERT_EQ(again.status, 302);
  EXPECT_EQ(*again.Find("X-Mirrorvault-Cache"), "miss");
  httpd::Response metrics = Get("/metrics");
  EXPECT_NE(metrics.body.find("mirrorvault_regioncache_copies_total{region=\"r1\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("mirrorvault_regioncache_hits_total{region=\"r1\"} 2"),
            std::string::npos);
}

}  // namespace
}  // namespace mv::server
