// LocalStore specifics: the on-disk layout, temporary files, crashes, filesystem conflicts,
// permissions, metadata storage and hard-linked copies. The ObjectStore contract itself is
// covered by the conformance suite (memory_local_conformance_test.cpp).
#include "store/local_store.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "store/store_test_util.h"
#include "support/file_bytes.h"
#include "util/hash.h"

namespace mv::store {
namespace {

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(bool sidecar = false) {
    LocalStoreOptions options;
    options.root = root_;
    options.force_sidecar_metadata = sidecar;
    Result<std::shared_ptr<ObjectStore>> store = MakeLocalStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = *store;
  }

  std::vector<std::string> Keys(ListOptions options = {}) {
    std::vector<std::string> keys;
    MV_EXPECT_OK(store_->ListAll(options, [&](const ListPage& page) {
      for (const ObjectInfo& info : page.objects) keys.push_back(info.key);
      for (const std::string& cp : page.common_prefixes) keys.push_back(cp + "(cp)");
      return true;
    }));
    return keys;
  }

  static std::string Slurp(const std::string& path) { return mv::testing::ReadFileBytes(path); }
  static void Spill(const std::string& path, const std::string& data) {
    mv::testing::WriteFileBytes(path, data);
  }

  TempDir dir_;
  std::string root_ = dir_.path() + "/root";
  std::shared_ptr<ObjectStore> store_;
};

// Yields `head`, then signals `reached` and blocks until `resume` is set, then fails.
class PausingReader final : public Reader {
 public:
  PausingReader(std::string head, std::promise<void>& reached, std::shared_future<void> resume)
      : head_(std::move(head)), reached_(reached), resume_(std::move(resume)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (!sent_) {
      sent_ = true;
      size_t take = std::min(n, head_.size());
      std::copy_n(head_.data(), take, buf);
      return take;
    }
    reached_.set_value();
    resume_.wait();
    return Unavailable("upstream connection reset");
  }

 private:
  std::string head_;
  bool sent_ = false;
  std::promise<void>& reached_;
  std::shared_future<void> resume_;
};

TEST_F(LocalStoreTest, KeysAreFilesUnderTheRoot) {
  MV_ASSERT_OK(store_->PutBytes("a/b/c", "content"));
  MV_ASSERT_OK(store_->PutBytes("marker/", "dir key"));
  EXPECT_EQ(Slurp(root_ + "/a/b/c"), "content");
  EXPECT_EQ(Slurp(root_ + "/marker/.mvdir"), "dir key");
  EXPECT_EQ(TreeUnder(root_),
            (std::vector<std::string>{"a", "a/b", "a/b/c", "marker", "marker/.mvdir"}));
  EXPECT_EQ(store_->Describe(), "file://" + std::filesystem::canonical(root_).string());
}

TEST_F(LocalStoreTest, InFlightPutIsInvisibleAndFailedPutLeavesNothing) {
  MV_ASSERT_OK(store_->PutBytes("old/key", "old content"));
  std::promise<void> reached, resume;
  std::shared_future<void> resume_future = resume.get_future().share();
  Status put_status;
  std::thread put([&] {
    PausingReader reader(RandomBytes(1 << 16, 1), reached, resume_future);
    put_status = store_->Put("new/dir/key", reader, {});
  });
  reached.get_future().wait();
  // Mid-put: a temporary file holds the first bytes, but no key shows it.
  std::vector<std::string> tree = TreeUnder(root_);
  EXPECT_TRUE(std::any_of(tree.begin(), tree.end(), [](const std::string& p) {
    return p.find("/.mvtmp-") != std::string::npos;
  })) << ::testing::PrintToString(tree);
  EXPECT_EQ(Keys(), std::vector<std::string>{"old/key"});
  MV_EXPECT_CODE(store_->Head("new/dir/key"), StatusCode::kNotFound);
  ListOptions delimited;
  delimited.delimiter = "/";
  EXPECT_EQ(Keys(delimited), std::vector<std::string>{"old/(cp)"});
  resume.set_value();
  put.join();
  EXPECT_EQ(put_status.code(), StatusCode::kUnavailable) << put_status.ToString();
  EXPECT_NE(put_status.message().find("new/dir/key"), std::string::npos) << put_status.message();
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"old", "old/key"}))
      << "a failed put left files or directories behind";
}

TEST_F(LocalStoreTest, FailedOverwriteKeepsTheOldObject) {
  MV_ASSERT_OK(store_->PutBytes("k", "old content"));
  FailingReader reader(RandomBytes(5 << 20, 2), Internal("disk image truncated"));
  EXPECT_FALSE(store_->Put("k", reader, {}).ok());
  EXPECT_EQ(Slurp(root_ + "/k"), "old content");
  EXPECT_EQ(TreeUnder(root_), std::vector<std::string>{"k"});
}

TEST_F(LocalStoreTest, LeftoverTemporaryFilesFromACrashAreIgnored) {
  MV_ASSERT_OK(store_->PutBytes("x/real", "real"));
  Spill(root_ + "/x/.mvtmp-0123456789abcdef", "half a write");
  Spill(root_ + "/.mvtmp-fedcba9876543210", "another");
  Spill(root_ + "/only-temp/.mvtmp-0000000000000000", "crashed before rename");
  Spill(root_ + "/x/.mvtmp-aaaaaaaaaaaaaaaa/oddity", "even a directory");
  EXPECT_EQ(Keys(), std::vector<std::string>{"x/real"});
  ListOptions delimited;
  delimited.delimiter = "/";
  EXPECT_EQ(Keys(delimited), std::vector<std::string>{"x/(cp)"});
  EXPECT_EQ(*store_->GetBytes("x/real"), "real");
  MV_EXPECT_CODE(store_->GetBytes(".mvtmp-fedcba9876543210"), StatusCode::kInvalidArgument);
  MV_ASSERT_OK(store_->PutBytes("only-temp/now-real", "y"));
  MV_ASSERT_OK(store_->Delete("only-temp/now-real"));
  EXPECT_EQ(Keys(), std::vector<std::string>{"x/real"});
}

TEST_F(LocalStoreTest, ReservedNamesAreInvalidKeys) {
  for (const char* key :
       {".mvtmp-1", "x/.mvtmp-", "x/.mvtmp-1/y", ".mvmeta-k", "a/.mvdir", ".mvdir/b"}) {
    MV_EXPECT_CODE(store_->PutBytes(key, "x"), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store_->Head(key), StatusCode::kInvalidArgument);
    MV_EXPECT_CODE(store_->Delete(key), StatusCode::kInvalidArgument);
  }
  MV_EXPECT_OK(store_->PutBytes("x/.mvtmp", "not the prefix"));
  MV_EXPECT_OK(store_->PutBytes("x/mvtmp-1", "no dot"));
  MV_EXPECT_CODE(store_->PutBytes(std::string(256, 'n'), "x"), StatusCode::kInvalidArgument);
}

TEST_F(LocalStoreTest, FileAndDirectoryPrefixConflictNamesBothKeys) {
  MV_ASSERT_OK(store_->PutBytes("a", "file a"));
  Status st = store_->PutBytes("a/b", "below a");
  EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
  EXPECT_NE(st.message().find("\"a\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"a/b\""), std::string::npos) << st.message();
  MV_EXPECT_CODE(store_->PutBytes("a/", "marker"), StatusCode::kAlreadyExists);

  MV_ASSERT_OK(store_->PutBytes("x/y/z", "deep"));
  st = store_->PutBytes("x", "file x");
  EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
  EXPECT_NE(st.message().find("\"x\""), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("\"x/y/"), std::string::npos) << st.message();
  PutOptions if_absent;
  if_absent.if_absent = true;
  MV_EXPECT_CODE(store_->PutBytes("x", "file x", if_absent), StatusCode::kAlreadyExists);
  MV_EXPECT_CODE(store_->Copy("a", "x", {}), StatusCode::kAlreadyExists);

  EXPECT_EQ(*store_->GetBytes("a"), "file a");
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"a", "x", "x/y", "x/y/z"}));
  // An empty directory (a leftover) where a file goes is no conflict.
  std::filesystem::create_directories(root_ + "/empty");
  MV_EXPECT_OK(store_->PutBytes("empty", "now a file"));
}

// A staged write is an unnamed file until its commit links it in place: nothing of it shows in
// the root, in any outcome (new key, new folders, replaced key, if_absent refusal, conflict).
TEST_F(LocalStoreTest, StagedWritesLeaveNoTemporaryNames) {
  auto stage = [&](const std::string& bytes) {
    auto reader = MakeStringReader(bytes);
    Result<std::unique_ptr<StagedPut>> staged = store_->Stage(*reader);
    EXPECT_TRUE(staged.ok()) << staged.status().ToString();
    return std::move(staged).value();
  };
  std::unique_ptr<StagedPut> first = stage("first");
  EXPECT_TRUE(TreeUnder(root_).empty()) << ::testing::PrintToString(TreeUnder(root_));
  MV_ASSERT_OK(first->Commit("deep/new/folders/k", {.defer_sync = true}));
  MV_ASSERT_OK(stage("second")->Commit("deep/new/folders/k", {}));
  EXPECT_EQ(*store_->GetBytes("deep/new/folders/k"), "second");
  MV_EXPECT_CODE(stage("third")->Commit("deep/new/folders/k", {.if_absent = true}),
                 StatusCode::kPreconditionFailed);
  Status conflict = stage("fourth")->Commit("deep/new", {});
  EXPECT_TRUE(conflict.IsAlreadyExists()) << conflict.ToString();
  EXPECT_NE(conflict.message().find("deep/new/folders/k"), std::string::npos) << conflict.message();
  stage("dropped").reset();
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"deep", "deep/new", "deep/new/folders",
                                                        "deep/new/folders/k"}));
  EXPECT_EQ(*store_->GetBytes("deep/new/folders/k"), "second");
}

TEST_F(LocalStoreTest, PermissionErrorsNameThePath) {
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(root_.c_str(), 0555), 0);
  // Root ignores permissions: check from a child process that drops to "nobody".
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(2);
    std::string out;
    for (const char* key : {"k", "sub/k"}) {
      Status st = store_->PutBytes(key, "x");
      out += std::string(StatusCodeName(st.code())) + "|" + st.message() + "\n";
    }
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "child failed: " << wstatus;
  std::string canonical = std::filesystem::canonical(root_).string();
  EXPECT_NE(out.find("PermissionDenied|put file://" + canonical + "/k"), std::string::npos) << out;
  EXPECT_NE(out.find("create a temporary file in " + canonical + ":"), std::string::npos) << out;
  EXPECT_NE(out.find("create directory " + canonical + "/sub"), std::string::npos) << out;
  ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
  EXPECT_TRUE(TreeUnder(root_).empty());
}

TEST_F(LocalStoreTest, OpeningRoots) {
  LocalStoreOptions missing;
  missing.root = dir_.path() + "/does/not/exist";
  missing.create = false;
  Result<std::shared_ptr<ObjectStore>> store = MakeLocalStore(missing);
  EXPECT_TRUE(store.status().IsNotFound()) << store.status().ToString();
  EXPECT_NE(store.status().message().find(missing.root), std::string::npos);

  LocalStoreOptions nested;
  nested.root = "file://" + dir_.path() + "/made/on/demand/";
  MV_ASSERT_OK(MakeLocalStore(nested));
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/made/on/demand"));

  Spill(dir_.path() + "/plain-file", "x");
  LocalStoreOptions file;
  file.root = dir_.path() + "/plain-file";
  MV_EXPECT_CODE(MakeLocalStore(file), StatusCode::kInvalidArgument);

  MV_ASSERT_OK(store_->PutBytes("persisted", "across opens"));
  Open();
  EXPECT_EQ(*store_->GetBytes("persisted"), "across opens");
}

TEST_F(LocalStoreTest, DeletePrunesEmptyDirectoriesButNotTheRoot) {
  MV_ASSERT_OK(store_->PutBytes("a/b/c/d", "1"));
  MV_ASSERT_OK(store_->PutBytes("a/x", "2"));
  MV_ASSERT_OK(store_->Delete("a/b/c/d"));
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"a", "a/x"}));
  MV_ASSERT_OK(store_->Delete("a/x"));
  EXPECT_TRUE(TreeUnder(root_).empty());
  EXPECT_TRUE(std::filesystem::is_directory(root_));
  MV_ASSERT_OK(store_->PutBytes("d/", "marker"));
  MV_ASSERT_OK(store_->Delete("d/"));
  EXPECT_TRUE(TreeUnder(root_).empty());
}

TEST_F(LocalStoreTest, ShaMismatchNamesKeyExpectedAndActualAndLeavesNothing) {
  std::string expected = Sha256Hex("what was promised");
  PutOptions options;
  options.expected_sha256 = expected;
  Status st = store_->PutBytes("new/dir/blob", "what arrived", options);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("new/dir/blob"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(expected), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(Sha256Hex("what arrived")), std::string::npos) << st.message();
  EXPECT_TRUE(TreeUnder(root_).empty()) << ::testing::PrintToString(TreeUnder(root_));
}

TEST_F(LocalStoreTest, EtagChangesOnEveryWriteEvenOfTheSameBytes) {
  MV_ASSERT_OK(store_->PutBytes("k", "same"));
  std::string first = store_->Head("k")->etag;
  MV_ASSERT_OK(store_->PutBytes("k", "same"));
  EXPECT_NE(store_->Head("k")->etag, first);
}

TEST_F(LocalStoreTest, MetadataLivesInAnXattr) {
  PutOptions options;
  options.metadata = {{"origin", "x\ny=z,1:2"}};
  options.content_type = "text/plain";
  MV_ASSERT_OK(store_->PutBytes("m", "x", options));
  char value[256];
  EXPECT_GT(::getxattr((root_ + "/m").c_str(), "user.mirrorvault.meta", value, sizeof value), 0);
  Result<ObjectInfo> info = store_->Head("m");
  MV_ASSERT_OK(info);
  EXPECT_EQ(info->metadata, options.metadata);
  EXPECT_EQ(info->content_type, "text/plain");
}

TEST_F(LocalStoreTest, SidecarMetadataIsInvisibleAndFollowsTheObject) {
  Open(/*sidecar=*/true);
  PutOptions options;
  options.metadata = {{"origin", "sidecar"}};
  MV_ASSERT_OK(store_->PutBytes("s/obj", "x", options));
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"s", "s/.mvmeta-obj", "s/obj"}));
  EXPECT_EQ(Keys(), std::vector<std::string>{"s/obj"});
  EXPECT_EQ(store_->Head("s/obj")->metadata, options.metadata);
  MV_ASSERT_OK(store_->PutBytes("s/obj", "y"));  // no metadata: the sidecar goes
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"s", "s/obj"}));
  MV_ASSERT_OK(store_->PutBytes("s/obj", "z", options));
  MV_ASSERT_OK(store_->Delete("s/obj"));
  EXPECT_TRUE(TreeUnder(root_).empty());
}

TEST_F(LocalStoreTest, CopyHardLinksWhenMetadataIsKept) {
  PutOptions options;
  options.metadata = {{"origin", "src"}};
  MV_ASSERT_OK(store_->PutBytes("src", "payload", options));
  MV_ASSERT_OK(store_->Copy("src", "dst/linked", {}));
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat((root_ + "/src").c_str(), &a), 0);
  ASSERT_EQ(::stat((root_ + "/dst/linked").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  PutOptions replace;
  replace.metadata = {{"origin", "copy"}};
  MV_ASSERT_OK(store_->Copy("src", "dst/copied", replace));
  ASSERT_EQ(::stat((root_ + "/dst/copied").c_str(), &b), 0);
  EXPECT_NE(a.st_ino, b.st_ino);
  EXPECT_EQ(store_->Head("src")->metadata, options.metadata);
  MV_ASSERT_OK(store_->Copy("src", "src", {}));
  EXPECT_EQ(TreeUnder(root_), (std::vector<std::string>{"dst", "dst/copied", "dst/linked", "src"}));
}

TEST_F(LocalStoreTest, ListingOrderIsByKeyAcrossDirectories) {
  for (const char* key : {"a/b", "a-b", "a0", "a/", "a.b/c"})
    MV_ASSERT_OK(store_->PutBytes(key, "x"));
  EXPECT_EQ(Keys(), (std::vector<std::string>{"a-b", "a.b/c", "a/", "a/b", "a0"}));
  ListOptions after;
  after.start_after = "a.b/c";
  after.max_keys = 1;
  EXPECT_EQ(Keys(after), (std::vector<std::string>{"a/", "a/b", "a0"}));
}

}  // namespace
}  // namespace mv::store
