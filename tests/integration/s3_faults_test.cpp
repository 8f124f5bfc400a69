// S3Store through a fault-injecting proxy in front of Ceph RGW: resets, refused connections,
// 503 SlowDown and truncated bodies. Transfers retry and finish with the right bytes, or fail
// with a clear error; never is a corrupt or partial object visible under its key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "store/object_store.h"
#include "store/s3/s3_store.h"
#include "support/fault_proxy.h"
#include "support/s3_test_env.h"
#include "util/hash.h"

namespace mv::s3 {
namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

class S3FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = mv::testing::LoadS3TestEnv();
    ASSERT_FALSE(env_.endpoint.empty());
    proxy_ = std::make_unique<mv::testing::FaultProxy>(env_.Authority());
    prefix_ = mv::testing::UniquePrefix("faults");
    S3StoreOptions options = mv::testing::S3OptionsFor(env_, prefix_);
    options.endpoint.authority = proxy_->Authority();
    options.retry.base_delay = std::chrono::milliseconds(10);
    options.retry.max_delay = std::chrono::milliseconds(200);
    options.multipart_threshold = 8ull << 20;
    options.part_size = 5ull << 20;
    options.part_concurrency = 4;
    faulty_ = MakeS3Store(options);
    direct_ = MakeS3Store(mv::testing::S3OptionsFor(env_, prefix_));
  }

  std::string TempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            (name + std::to_string(::getpid()) + "-" + std::to_string(++temp_counter_)))
        .string();
  }

  // What the server really holds, read around the proxy.
  std::string DirectGet(const std::string& key) {
    auto bytes = direct_->GetBytes(key);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? *bytes : std::string();
  }
  bool DirectExists(const std::string& key) {
    auto info = direct_->Head(key);
    EXPECT_TRUE(info.ok() || info.status().IsNotFound()) << info.status().ToString();
    return info.ok();
  }

  // Multipart uploads still open under this test's prefix, as the aws CLI sees them.
  std::string PendingUploads() {
    std::string cmd = "AWS_ACCESS_KEY_ID=" + env_.access_key +
                      " AWS_SECRET_ACCESS_KEY=" + env_.secret_key + " /usr/bin/aws --region " +
                      env_.region + " --endpoint-url " + env_.endpoint +
                      " s3api list-multipart-uploads --bucket " + env_.bucket + " --prefix " +
                      prefix_ + " --query 'Uploads[].Key' --output text";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      EXPECT_EQ(::pclose(p), 0) << cmd;
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out == "None" ? "" : out;
  }

  mv::testing::S3TestEnv env_;
  std::unique_ptr<mv::testing::FaultProxy> proxy_;
  std::string prefix_;
  std::shared_ptr<store::ObjectStore> faulty_;
  std::shared_ptr<store::ObjectStore> direct_;
  int temp_counter_ = 0;
};

TEST_F(S3FaultsTest, SlowDownAnswersAreRetried) {
  proxy_->SetMode(R"({"mode":"http_503","count":3})");
  std::string data = RandomBytes(100000, 1);
  ASSERT_TRUE(faulty_->PutBytes("slow", data).ok());
  EXPECT_EQ(DirectGet("slow"), data);
  EXPECT_NE(proxy_->Stats().find("\"http_503\": 3"), std::string::npos) << proxy_->Stats();
}

TEST_F(S3FaultsTest, UploadsSurviveResetConnections) {
  std::string data = RandomBytes(3 << 20, 2);
  proxy_->SetMode(
      R"({"mode":"reset_after_bytes","bytes":100000,"count":2,"direction":"to_upstream","per":"request"})");
  Status st = faulty_->PutBytes("reset-put", data, {.expected_sha256 = Sha256Hex(data)});
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(DirectGet("reset-put"), data);
}

TEST_F(S3FaultsTest, MultipartUploadsSurviveResetsAndRefusals) {
  std::string data = RandomBytes(22 << 20, 3);
  std::string path = TempPath("mv-mp-");
  std::ofstream(path, std::ios::binary) << data;
  proxy_->SetMode(
      R"({"mode":"reset_after_bytes","bytes":1000000,"count":3,"direction":"to_upstream","per":"request"})");
  Status st = faulty_->PutFile("multipart", path, {.expected_sha256 = Sha256Hex(data)});
  std::filesystem::remove(path);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(DirectGet("multipart"), data);
}

TEST_F(S3FaultsTest, DownloadsResumeAfterResets) {
  std::string data = RandomBytes(2 << 20, 4);
  ASSERT_TRUE(direct_->PutBytes("resume", data).ok());
  proxy_->SetMode(R"({"mode":"reset_after_bytes","bytes":300000,"count":3,"per":"request"})");
  auto got = faulty_->GetBytes("resume");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Sha256Hex(*got), Sha256Hex(data));
}

TEST_F(S3FaultsTest, TruncatedBodiesAreNotTakenForWholeObjects) {
  std::string data = RandomBytes(1 << 20, 5);
  ASSERT_TRUE(direct_->PutBytes("trunc", data).ok());
  proxy_->SetMode(R"({"mode":"truncate_response","bytes":1000,"count":2})");
  auto got = faulty_->GetBytes("trunc");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), data.size());
  EXPECT_EQ(Sha256Hex(*got), Sha256Hex(data));
}

TEST_F(S3FaultsTest, ParallelDownloadsOfLargeObjectsSurviveFaults) {
  std::string data = RandomBytes(20 << 20, 6);
  ASSERT_TRUE(direct_->PutBytes("big", data).ok());
  std::string path = TempPath("mv-get-");
  proxy_->SetMode(R"({"mode":"truncate_response","bytes":100000,"count":3,"rst":true})");
  Status st = faulty_->GetFile("big", path, {});
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto digests = HashFile(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(digests.ok());
  EXPECT_EQ(DigestHex(digests->sha256), Sha256Hex(data));
}

TEST_F(S3FaultsTest, PersistentFailureIsAClearErrorAndLeavesNothing) {
  proxy_->SetMode(R"({"mode":"reset_after_bytes","bytes":50000,"direction":"to_upstream"})");
  std::string data = RandomBytes(1 << 20, 7);
  Status st = faulty_->PutBytes("never", data);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("never"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("attempts"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(env_.secret_key), std::string::npos);
  proxy_->Reset();
  EXPECT_FALSE(DirectExists("never")) << "a torn upload became visible";

  // The same for a multipart upload: nothing under the key, no upload left to complete.
  std::string path = TempPath("mv-never-");
  std::string big = RandomBytes(12 << 20, 8);
  std::ofstream(path, std::ios::binary) << big;
  proxy_->SetMode(R"({"mode":"reset_after_bytes","bytes":2000000,"direction":"to_upstream"})");
  st = faulty_->PutFile("never-mp", path, {});
  std::filesystem::remove(path);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  proxy_->Reset();
  EXPECT_FALSE(DirectExists("never-mp"));
  EXPECT_EQ(PendingUploads(), "") << "a failed multipart upload was not aborted";
}

TEST_F(S3FaultsTest, RefusedConnectionsAreRetried) {
  proxy_->SetMode(R"({"mode":"refuse","count":4})");
  auto listed = faulty_->List({.prefix = ""});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
}

}  // namespace
}  // namespace mv::s3
