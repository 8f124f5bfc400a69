// Conformance: writes, reads, metadata, preconditions, keys, deletes and copies. Listing is in
// object_store_conformance_list.cpp, concurrency in object_store_conformance_concurrency.cpp.
#include "store/object_store_conformance.h"

#include <unistd.h>

#include "support/file_bytes.h"
#include "util/hash.h"

namespace mv::store {

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ObjectStoreConformance);

void ObjectStoreConformance::SetUp() {
  store_ = GetParam().make();
  ASSERT_NE(store_, nullptr);
}

void ObjectStoreConformance::Put(const std::string& key, std::string_view data,
                                 const PutOptions& options) {
  Status st = store_->PutBytes(key, data, options);
  EXPECT_TRUE(st.ok()) << "put \"" << key << "\": " << st.ToString();
}

std::string ObjectStoreConformance::Get(const std::string& key, const GetOptions& options) {
  Result<std::string> got = store_->GetBytes(key, options);
  EXPECT_TRUE(got.ok()) << "get \"" << key << "\": " << got.status().ToString();
  return got.ok() ? *got : "<error>";
}

bool ObjectStoreConformance::Exists(const std::string& key) {
  Result<ObjectInfo> info = store_->Head(key);
  EXPECT_TRUE(info.ok() || info.status().IsNotFound()) << info.status().ToString();
  return info.ok();
}

namespace {

std::string ReadFile(const std::string& path) { return mv::testing::ReadFileBytes(path); }

void WriteFile(const std::string& path, const std::string& data) {
  mv::testing::WriteFileBytes(path, data);
}

GetOptions Range(uint64_t first, std::optional<uint64_t> last) {
  GetOptions options;
  options.range = ByteRange{first, last};
  return options;
}

PutOptions WithSha(std::string sha) {
  PutOptions options;
  options.expected_sha256 = std::move(sha);
  return options;
}

PutOptions IfAbsent() {
  PutOptions options;
  options.if_absent = true;
  return options;
}

}  // namespace

TEST_P(ObjectStoreConformance, DescribesItself) { EXPECT_FALSE(store().Describe().empty()); }

TEST_P(ObjectStoreConformance, RoundTripsObjectsOfEverySize) {
  std::string with_nuls("a\0b\0\0c\xff\x80\n\r", 10);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"one-byte", "x"},
      {"binary-with-nuls", with_nuls},
      {"five-mib", RandomBytes(5 << 20, 7)},
  };
  for (const auto& [key, data] : cases) Put(key, data);
  for (const auto& [key, data] : cases) {
    std::string got = Get(key);
    EXPECT_EQ(got.size(), data.size()) << key;
    EXPECT_TRUE(got == data) << key << " differs";
    Result<ObjectInfo> info = store().Head(key);
    MV_ASSERT_OK(info);
    EXPECT_EQ(info->size, data.size()) << key;
  }
}

TEST_P(ObjectStoreConformance, OverwriteReplacesContentAndMetadata) {
  PutOptions first;
  first.metadata = {{"generation", "1"}};
  Put("k", "a longer first version", first);
  Put("k", "short");
  EXPECT_EQ(Get("k"), "short");
  Result<ObjectInfo> info = store().Head("k");
  MV_ASSERT_OK(info);
  EXPECT_EQ(info->size, 5u);
  EXPECT_TRUE(info->metadata.empty()) << "metadata of the old version survived an overwrite";
}

// defer_sync only moves durability to Sync(): the object is visible and whole at once, verified
// like any other, and Sync() succeeds.
TEST_P(ObjectStoreConformance, DeferredSyncPutsAreVisibleAndSyncSucceeds) {
  PutOptions deferred;
  deferred.defer_sync = true;
  std::string data = RandomBytes(70000, 9);
  Put("deferred/a", data, deferred);
  TempDir dir;
  WriteFile(dir.path() + "/b", "file contents");
  PutOptions checked = deferred;
  checked.expected_sha256 = Sha256Hex("file contents");
  MV_ASSERT_OK(store().PutFile("deferred/b", dir.path() + "/b", checked));
  checked.expected_sha256 = Sha256Hex("something else");
  MV_EXPECT_CODE(store().PutFile("deferred/c", dir.path() + "/b", checked),
                 StatusCode::kCorruption);
  EXPECT_FALSE(Exists("deferred/c"));
  EXPECT_TRUE(Get("deferred/a") == data);
  EXPECT_EQ(Get("deferred/b"), "file contents");
  MV_EXPECT_OK(store().Sync());
  EXPECT_TRUE(Get("deferred/a") == data);
}

// Staged writes (stores that support them): invisible until committed, discarded when dropped,
// committed under if_absent like a put; stores that do not support them say so.
TEST_P(ObjectStoreConformance, StagedWrites) {
  std::string data = RandomBytes(200000, 11);
  auto reader = MakeStringReader(data);
  Result<std::unique_ptr<StagedPut>> staged = store().Stage(*reader);
  if (!store().SupportsStaging()) {
    MV_EXPECT_CODE(staged, StatusCode::kInvalidArgument);
    return;
  }
  MV_ASSERT_OK(staged);
  Result<ListPage> page = store().List({});
  MV_ASSERT_OK(page);
  EXPECT_TRUE(page->objects.empty()) << "a staged write is visible before its commit";
  MV_ASSERT_OK((*staged)->Commit("staged/a", {.defer_sync = true}));
  EXPECT_TRUE(Get("staged/a") == data);

  auto dropped_reader = MakeStringReader("dropped");
  Result<std::unique_ptr<StagedPut>> dropped = store().Stage(*dropped_reader);
  MV_ASSERT_OK(dropped);
  dropped->reset();
  page = store().List({});
  MV_ASSERT_OK(page);
  ASSERT_EQ(page->objects.size(), 1u) << "a dropped staged write left something visible";

  auto again_reader = MakeStringReader("other bytes");
  Result<std::unique_ptr<StagedPut>> again = store().Stage(*again_reader);
  MV_ASSERT_OK(again);
  MV_EXPECT_CODE((*again)->Commit("staged/a", {.if_absent = true}),
                 StatusCode::kPreconditionFailed);
  EXPECT_TRUE(Get("staged/a") == data);
  auto replace_reader = MakeStringReader("replacement");
  Result<std::unique_ptr<StagedPut>> replace = store().Stage(*replace_reader);
  MV_ASSERT_OK(replace);
  MV_ASSERT_OK((*replace)->Commit("staged/a", {}));
  EXPECT_EQ(Get("staged/a"), "replacement") << "a staged write does not replace like a put";
  auto typed_reader = MakeStringReader("x");
  Result<std::unique_ptr<StagedPut>> typed = store().Stage(*typed_reader);
  MV_ASSERT_OK(typed);
  MV_EXPECT_CODE((*typed)->Commit("staged/b", {.content_type = "text/plain"}),
                 StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreConformance, PutFileAndGetFile) {
  TempDir dir;
  std::string src = dir.path() + "/src.bin", dst = dir.path() + "/dst.bin";
  std::string data = RandomBytes(300000, 3);
  WriteFile(src, data);
  MV_ASSERT_OK(store().PutFile("files/one", src, {}));
  EXPECT_TRUE(Get("files/one") == data);
  WriteFile(dst, "old content to be replaced");
  MV_ASSERT_OK(store().GetFile("files/one", dst, {}));
  EXPECT_TRUE(ReadFile(dst) == data);
  MV_ASSERT_OK(store().GetFile("files/one", dst, Range(10, 19)));
  EXPECT_EQ(ReadFile(dst), data.substr(10, 10));
  MV_EXPECT_CODE(store().PutFile("files/two", dir.path() + "/missing", {}), StatusCode::kNotFound);
  EXPECT_FALSE(Exists("files/two"));
}

// The size hint only picks a download strategy: a stale one (the object was replaced after the
// listing) still yields the object's current bytes, all of them.
TEST_P(ObjectStoreConformance, GetFileWithStaleSizeHintGetsCurrentBytes) {
  TempDir dir;
  std::string dst = dir.path() + "/dst.bin";
  std::string big = RandomBytes(6 << 20, 4);  // above the multipart threshold of s3_multipart
  Put("files/hinted", big);
  MV_ASSERT_OK(store().GetFile("files/hinted", dst, {.size_hint = 10}));
  EXPECT_TRUE(ReadFile(dst) == big) << "a small hint truncated or garbled a big object";
  Put("files/hinted", "now short");
  MV_ASSERT_OK(store().GetFile("files/hinted", dst, {.size_hint = big.size()}));
  EXPECT_EQ(ReadFile(dst), "now short");
}

TEST_P(ObjectStoreConformance, GetFileOfMissingKeyLeavesNothingBehind) {
  TempDir dir;
  std::string dst = dir.path() + "/out";
  MV_EXPECT_CODE(store().GetFile("no/such/key", dst, {}), StatusCode::kNotFound);
  EXPECT_TRUE(TreeUnder(dir.path()).empty())
      << "left: " << ::testing::PrintToString(TreeUnder(dir.path()));
  WriteFile(dst, "keep me");
  MV_EXPECT_CODE(store().GetFile("no/such/key", dst, {}), StatusCode::kNotFound);
  EXPECT_EQ(ReadFile(dst), "keep me");
  EXPECT_EQ(TreeUnder(dir.path()), std::vector<std::string>{"out"});
}

TEST_P(ObjectStoreConformance, GetIntoAFailingWriterFails) {
  Put("k", "some bytes");
  FailingWriter writer;
  EXPECT_FALSE(store().Get("k", writer, {}).ok());
}

TEST_P(ObjectStoreConformance, RangeReads) {
  std::string data = RandomBytes(1000, 11);
  Put("r", data);
  EXPECT_EQ(Get("r", Range(0, 0)), data.substr(0, 1));
  EXPECT_EQ(Get("r", Range(100, 199)), data.substr(100, 100));
  EXPECT_EQ(Get("r", Range(990, std::nullopt)), data.substr(990));
  EXPECT_EQ(Get("r", Range(999, 999)), data.substr(999));
  EXPECT_EQ(Get("r", Range(0, std::nullopt)), data);
  EXPECT_EQ(Get("r", Range(900, 5000)), data.substr(900)) << "a last byte past the end is clamped";
  MV_EXPECT_CODE(store().GetBytes("r", Range(1000, std::nullopt)), StatusCode::kInvalidArgument);
  MV_EXPECT_CODE(store().GetBytes("r", Range(5000, 6000)), StatusCode::kInvalidArgument);
  MV_EXPECT_CODE(store().GetBytes("r", Range(10, 5)), StatusCode::kInvalidArgument);
  Put("empty", "");
  MV_EXPECT_CODE(store().GetBytes("empty", Range(0, std::nullopt)), StatusCode::kInvalidArgument);
  MV_EXPECT_CODE(store().GetBytes("missing", Range(0, 1)), StatusCode::kNotFound);
}

TEST_P(ObjectStoreConformance, HeadReportsSizeEtagTimeAndMetadata) {
  auto before = std::chrono::system_clock::now() - std::chrono::minutes(5);
  PutOptions options;
  options.metadata = {{"origin", "debian"},
                      {"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
                      {"with-dash", "value with spaces = and & too"}};
  options.content_type = "application/vnd.debian.binary-package";
  Put("pool/h/hello.deb", "deb bytes", options);
  Result<ObjectInfo> a = store().Head("pool/h/hello.deb");
  MV_ASSERT_OK(a);
  EXPECT_EQ(a->key, "pool/h/hello.deb");
  EXPECT_EQ(a->size, 9u);
  EXPECT_FALSE(a->etag.empty());
  EXPECT_EQ(a->metadata, options.metadata);
  EXPECT_EQ(a->content_type, options.content_type);
  EXPECT_GT(a->last_modified, before);
  EXPECT_LT(a->last_modified, std::chrono::system_clock::now() + std::chrono::minutes(5));
  Result<ObjectInfo> again = store().Head("pool/h/hello.deb");
  MV_ASSERT_OK(again);
  EXPECT_EQ(again->etag, a->etag) << "etag changed without a write";
  Put("pool/h/hello.deb", "other deb bytes");
  Result<ObjectInfo> b = store().Head("pool/h/hello.deb");
  MV_ASSERT_OK(b);
  EXPECT_NE(b->etag, a->etag) << "etag unchanged after an overwrite with different bytes";
  EXPECT_TRUE(b->metadata.empty());
  EXPECT_TRUE(b->content_type.empty());
}

TEST_P(ObjectStoreConformance, MetadataKeysComeBackLowerCase) {
  PutOptions options;
  options.metadata = {{"Upstream-Date", "Sat, 01 Jun 2024 00:00:00 UTC"}};
  Put("m", "x", options);
  Result<ObjectInfo> info = store().Head("m");
  MV_ASSERT_OK(info);
  EXPECT_EQ(
      info->metadata,
      (std::map<std::string, std::string>{{"upstream-date", "Sat, 01 Jun 2024 00:00:00 UTC"}}));
}

TEST_P(ObjectStoreConformance, ExpectedSha256) {
  std::string data = "verified bytes";
  Put("ok", data, WithSha(Sha256Hex(data)));
  EXPECT_EQ(Get("ok"), data);

  std::string wrong = Sha256Hex("something else");
  Status st = store().PutBytes("bad", data, WithSha(wrong));
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("bad"), std::string::npos) << st.message();
  EXPECT_FALSE(Exists("bad")) << "a mismatched object became visible";

  Put("kept", "old version");
  MV_EXPECT_CODE(store().PutBytes("kept", "new version", WithSha(wrong)), StatusCode::kCorruption);
  EXPECT_EQ(Get("kept"), "old version");

  MV_EXPECT_CODE(store().PutBytes("malformed", data, WithSha("not-a-digest")),
                 StatusCode::kInvalidArgument);
  MV_EXPECT_CODE(store().PutBytes("upper", data, WithSha(std::string(64, 'A'))),
                 StatusCode::kInvalidArgument);
  EXPECT_FALSE(Exists("malformed"));
}

TEST_P(ObjectStoreConformance, FailingReaderLeavesNoObject) {
  FailingReader reader(RandomBytes(3 << 20, 5), Unavailable("source went away"));
  EXPECT_FALSE(store().Put("torn", reader, {}).ok());
  EXPECT_FALSE(Exists("torn"));
  Put("torn", "whole");
  FailingReader again(RandomBytes(100, 6), Internal("source broke"));
  EXPECT_FALSE(store().Put("torn", again, {}).ok());
  EXPECT_EQ(Get("torn"), "whole");
}

TEST_P(ObjectStoreConformance, IfAbsent) {
  Put("runs/debian/20240601T000000Z.json", "first", IfAbsent());
  Status st = store().PutBytes("runs/debian/20240601T000000Z.json", "second", IfAbsent());
  EXPECT_TRUE(st.IsPreconditionFailed()) << st.ToString();
  EXPECT_EQ(Get("runs/debian/20240601T000000Z.json"), "first");
  Put("runs/debian/20240601T000000Z.json", "third");  // without if_absent: replaces
  EXPECT_EQ(Get("runs/debian/20240601T000000Z.json"), "third");
}

TEST_P(ObjectStoreConformance, KeysWithSpecialCharacters) {
  const std::vector<std::string> keys = {
      "with space",  "plus+sign",       "percent%20literal",
      "tilde~home",  "eq=1&and=2",      "unicod\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac",
      "q?mark#hash", "colon:semi;",     "dir with space/file name",
      "quote'\"",    "trailing-slash/", "parens(1)[2]{3}",
      "star*",
  };
  for (const std::string& key : keys) Put(key, "value of " + key);
  for (const std::string& key : keys) {
    EXPECT_EQ(Get(key), "value of " + key);
    Result<ObjectInfo> info = store().Head(key);
    MV_EXPECT_OK(info);
    if (info.ok()) {
      EXPECT_EQ(info->key, key);
    }
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(ListKeys({}), sorted);
  for (const std::string& key : keys) MV_EXPECT_OK(store().Delete(key));
  EXPECT_TRUE(ListKeys({}).empty());
}

TEST_P(ObjectStoreConformance, DeleteExistingAndMissing) {
  Put("d/one", "1");
  MV_EXPECT_OK(store().Delete("d/one"));
  EXPECT_FALSE(Exists("d/one"));
  MV_EXPECT_OK(store().Delete("d/one"));
  MV_EXPECT_OK(store().Delete("never/was"));
  MV_EXPECT_CODE(store().Delete(""), StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreConformance, DeleteManyReportsFailures) {
  for (const char* key : {"b/1", "b/2", "b/3"}) Put(key, key);
  std::vector<std::string> keys = {"b/1", "b/2", "b/missing"};
  std::vector<DeleteFailure> failures;
  MV_EXPECT_OK(store().DeleteMany(keys, &failures));
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(ListKeys({}), std::vector<std::string>{"b/3"});

  std::vector<std::string> with_bad = {"b/3", "/bad", "also//bad"};
  Status st = store().DeleteMany(with_bad, &failures);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].key, "/bad");
  EXPECT_EQ(failures[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failures[1].key, "also//bad");
  EXPECT_FALSE(Exists("b/3")) << "a valid key was not deleted because another one failed";
  MV_EXPECT_OK(store().DeleteMany({}, nullptr));
}

TEST_P(ObjectStoreConformance, CopyKeepsContentAndMetadata) {
  PutOptions options;
  options.metadata = {{"origin", "src"}};
  options.content_type = "text/plain";
  std::string data = RandomBytes(70000, 9);
  Put("copy/src", data, options);
  MV_ASSERT_OK(store().Copy("copy/src", "copy/dst", {}));
  EXPECT_TRUE(Get("copy/dst") == data);
  Result<ObjectInfo> dst = store().Head("copy/dst");
  MV_ASSERT_OK(dst);
  EXPECT_EQ(dst->metadata, options.metadata);
  EXPECT_EQ(dst->content_type, "text/plain");
  EXPECT_TRUE(Get("copy/src") == data) << "the source changed";

  PutOptions replace;
  replace.metadata = {{"origin", "replaced"}};
  MV_ASSERT_OK(store().Copy("copy/src", "copy/other/dst", replace));
  Result<ObjectInfo> other = store().Head("copy/other/dst");
  MV_ASSERT_OK(other);
  EXPECT_EQ(other->metadata, replace.metadata);
  EXPECT_TRUE(other->content_type.empty());
  Result<ObjectInfo> src = store().Head("copy/src");
  MV_ASSERT_OK(src);
  EXPECT_EQ(src->metadata, options.metadata) << "replacing the copy's metadata changed the source";

  Put("copy/dst", "overwritten");
  MV_ASSERT_OK(store().Copy("copy/src", "copy/dst", {}));
  EXPECT_TRUE(Get("copy/dst") == data);
  Put("copy/src", "new source");
  EXPECT_TRUE(Get("copy/dst") == data) << "the copy follows later writes of its source";
}

// Two stores of one kind (for S3: two prefixes of one bucket, one service and identity): a server
// copy between them where the store has one, else InvalidArgument and nothing written.
TEST_P(ObjectStoreConformance, CopyFromAnotherStore) {
  std::shared_ptr<ObjectStore> other = GetParam().make();
  std::string data = RandomBytes(70000, 11);
  MV_ASSERT_OK(other->PutBytes("blobs/src", data, {}));
  PutOptions put;
  put.metadata = {{"mv-sha256", Sha256Hex(data)}};
  put.content_type = "application/vnd.debian.binary-package";
  Status copied = store().CopyFrom(*other, "blobs/src", "pool/dst", data.size(), put);
  std::optional<CopySource> from = other->CopySourceOf("blobs/src");
  if (!from || !store().CopySourceOf("pool/dst")) {
    MV_EXPECT_CODE(copied, StatusCode::kInvalidArgument);
    EXPECT_FALSE(Exists("pool/dst"));
    return;
  }
  MV_ASSERT_OK(copied);
  EXPECT_TRUE(Get("pool/dst") == data);
  Result<ObjectInfo> info = store().Head("pool/dst");
  MV_ASSERT_OK(info);
  EXPECT_EQ(info->metadata, put.metadata);
  EXPECT_EQ(info->content_type, put.content_type);
  Result<std::string> source_bytes = other->GetBytes("blobs/src");
  MV_ASSERT_OK(source_bytes);
  EXPECT_TRUE(*source_bytes == data) << "the source changed";
  MV_EXPECT_CODE(store().CopyFrom(*other, "blobs/missing", "pool/x", 1, put),
                 StatusCode::kNotFound);
  EXPECT_FALSE(Exists("pool/x"));
  MV_EXPECT_CODE(store().CopyFrom(*other, "bad//key", "pool/x", 1, put),
                 StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreConformance, CopyPreconditions) {
  Put("c/src", "source");
  Put("c/dst", "destination");
  MV_EXPECT_CODE(store().Copy("c/src", "c/dst", IfAbsent()), StatusCode::kPreconditionFailed);
  EXPECT_EQ(Get("c/dst"), "destination");
  MV_EXPECT_OK(store().Copy("c/src", "c/new", IfAbsent()));
  EXPECT_EQ(Get("c/new"), "source");
  MV_EXPECT_CODE(store().Copy("c/src", "c/bad", WithSha(Sha256Hex("other"))),
                 StatusCode::kCorruption);
  EXPECT_FALSE(Exists("c/bad"));
  MV_EXPECT_OK(store().Copy("c/src", "c/good", WithSha(Sha256Hex("source"))));
  EXPECT_EQ(Get("c/good"), "source");
}

TEST_P(ObjectStoreConformance, CopyOntoItself) {
  PutOptions options;
  options.metadata = {{"origin", "self"}};
  Put("self", "unchanged", options);
  MV_EXPECT_OK(store().Copy("self", "self", {}));
  EXPECT_EQ(Get("self"), "unchanged");
  MV_EXPECT_CODE(store().Copy("self", "self", IfAbsent()), StatusCode::kPreconditionFailed);
  PutOptions replace;
  replace.metadata = {{"origin", "replaced"}};
  MV_EXPECT_OK(store().Copy("self", "self", replace));
  Result<ObjectInfo> info = store().Head("self");
  MV_ASSERT_OK(info);
  EXPECT_EQ(info->metadata, replace.metadata);
  EXPECT_EQ(Get("self"), "unchanged");
}

TEST_P(ObjectStoreConformance, MissingKeysAreNotFoundNamingTheKey) {
  const std::string key = "blobs/ab/cd/missing-object";
  Result<std::string> got = store().GetBytes(key);
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
  EXPECT_NE(got.status().message().find(key), std::string::npos) << got.status().message();
  Result<ObjectInfo> head = store().Head(key);
  EXPECT_TRUE(head.status().IsNotFound()) << head.status().ToString();
  EXPECT_NE(head.status().message().find(key), std::string::npos) << head.status().message();
  Status copy = store().Copy(key, "elsewhere", {});
  EXPECT_TRUE(copy.IsNotFound()) << copy.ToString();
  EXPECT_NE(copy.message().find(key), std::string::npos) << copy.message();
  EXPECT_FALSE(Exists("elsewhere"));
  Put("blobs/ab/cd/present", "x");
  MV_EXPECT_CODE(store().GetBytes("blobs/ab"), StatusCode::kNotFound);
  MV_EXPECT_CODE(store().Head("blobs/ab/cd"), StatusCode::kNotFound);
}

TEST_P(ObjectStoreConformance, InvalidKeysAreRejected) {
  const std::vector<std::string> bad = {
      "",
      "/a",
      "a//b",
      "a/../b",
      "a/./b",
      "..",
      ".",
      std::string("a\0b", 3),
      "tab\there",
      std::string(1025, 'k'),
      "latin1-\xe9",
      "overlong-\xc0\xaf",
      "surrogate-\xed\xa0\x80",
      "cut-\xe2\x82",
  };
  for (const std::string& key : bad) {
    MV_EXPECT_CODE(ValidateKey(key), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store().PutBytes(key, "x"), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store().GetBytes(key), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store().Head(key), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store().Delete(key), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store().Copy(key, "dst", {}), StatusCode::kInvalidArgument);
  }
  Put("src", "x");
  MV_EXPECT_CODE(store().Copy("src", "a//b", {}), StatusCode::kInvalidArgument);
  EXPECT_EQ(ListKeys({}), std::vector<std::string>{"src"});
  MV_EXPECT_OK(ValidateKey(std::string(1024, 'k')));
}

TEST_P(ObjectStoreConformance, CapabilitiesAreStable) {
  bool conditional = store().SupportsConditionalPut();
  EXPECT_EQ(store().SupportsConditionalPut(), conditional);
  EXPECT_EQ(store().SupportsBatchDelete(), store().SupportsBatchDelete());
  EXPECT_EQ(store().SupportsServerSideCopy(), store().SupportsServerSideCopy());
  Put("p", "x");
  Result<std::string> url = store().PresignGet("p", std::chrono::seconds(60));
  if (url.ok()) {
    EXPECT_FALSE(url->empty());
  } else {
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << url.status().ToString();
  }
}

}  // namespace mv::store
