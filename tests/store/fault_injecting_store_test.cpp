#include "store/fault_injecting_store.h"

#include <atomic>
#include <fstream>
#include <thread>

#include "store/memory_store.h"
#include "store/object_store_conformance.h"
#include "util/hash.h"

namespace mv::store {
namespace {

// With no rules the decorator must be invisible: the whole contract holds through it.
INSTANTIATE_TEST_SUITE_P(FaultInjectingNoRules, ObjectStoreConformance,
                         ::testing::Values(StoreFactory{
                             "fault-injecting(memory)", [] {
                               return std::make_shared<FaultInjectingStore>(MakeMemoryStore());
                             }}));

class FaultInjectingStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<ObjectStore> target_ = MakeMemoryStore();
  FaultInjectingStore store_{target_, /*seed=*/42};
};

FaultRule Fail(StoreOps ops, Status status = Unavailable("injected")) {
  FaultRule rule;
  rule.ops = ops;
  rule.status = std::move(status);
  return rule;
}

TEST_F(FaultInjectingStoreTest, PassesThroughAndCountsCalls) {
  MV_ASSERT_OK(store_.PutBytes("a", "1"));
  MV_ASSERT_OK(store_.PutBytes("b", "2"));
  EXPECT_EQ(*store_.GetBytes("a"), "1");
  MV_EXPECT_OK(store_.Head("b"));
  MV_EXPECT_OK(store_.List({}));
  MV_EXPECT_OK(store_.Copy("a", "c", {}));
  MV_EXPECT_OK(store_.Delete("c"));
  EXPECT_EQ(store_.Calls(StoreOp::kPut), 2u);
  EXPECT_EQ(store_.Calls(StoreOp::kGet), 1u);
  EXPECT_EQ(store_.Calls(StoreOp::kHead), 1u);
  EXPECT_EQ(store_.Calls(StoreOp::kList), 1u);
  EXPECT_EQ(store_.Calls(StoreOp::kCopy), 1u);
  EXPECT_EQ(store_.Calls(StoreOp::kDelete), 1u);
  EXPECT_EQ(store_.Faults(StoreOp::kPut), 0u);
  EXPECT_EQ(store_.Describe(), target_->Describe());
  EXPECT_EQ(store_.SupportsConditionalPut(), target_->SupportsConditionalPut());
  store_.ResetCounters();
  EXPECT_EQ(store_.Calls(StoreOp::kPut), 0u);
}

TEST_F(FaultInjectingStoreTest, FailsMatchingCallsOnly) {
  FaultRule rule = Fail(StoreOp::kPut | StoreOp::kGet);
  rule.key_prefix = "blobs/";
  MV_ASSERT_OK(store_.AddRule(rule));
  Status st = store_.PutBytes("blobs/x", "data");
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(st.retryable());
  EXPECT_FALSE(target_->Head("blobs/x").ok()) << "a failed put reached the target";
  MV_EXPECT_OK(store_.PutBytes("trees/x", "data"));
  MV_EXPECT_OK(target_->PutBytes("blobs/y", "data"));
  MV_EXPECT_CODE(store_.GetBytes("blobs/y"), StatusCode::kUnavailable);
  MV_EXPECT_OK(store_.Head("blobs/y"));
  EXPECT_EQ(store_.Faults(StoreOp::kPut), 1u);
  EXPECT_EQ(store_.Faults(StoreOp::kGet), 1u);
  EXPECT_EQ(store_.Calls(StoreOp::kPut), 2u);
}

TEST_F(FaultInjectingStoreTest, NonRetryableStatusAndRegex) {
  FaultRule rule = Fail(StoreOps::All(), PermissionDenied("injected: access denied"));
  rule.key_regex = "[.]json$";
  MV_ASSERT_OK(store_.AddRule(rule));
  Status st = store_.PutBytes("runs/a/1.json", "{}");
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(st.retryable());
  MV_EXPECT_OK(store_.PutBytes("runs/a/1.jsonl", "{}"));
  FaultRule broken;
  broken.key_regex = "(unclosed";
  MV_EXPECT_CODE(store_.AddRule(broken), StatusCode::kInvalidArgument);
}

TEST_F(FaultInjectingStoreTest, FailsTheNthCall) {
  FaultRule rule = Fail(StoreOp::kPut);
  rule.nth = 3;
  MV_ASSERT_OK(store_.AddRule(rule));
  std::vector<bool> ok;
  for (int i = 0; i < 6; ++i) ok.push_back(store_.PutBytes("k" + std::to_string(i), "x").ok());
  EXPECT_EQ(ok, (std::vector<bool>{true, true, false, true, true, true}));
}

TEST_F(FaultInjectingStoreTest, MaxFiresAndRemoveRule) {
  FaultRule rule = Fail(StoreOp::kHead);
  rule.max_fires = 2;
  MV_ASSERT_OK(store_.AddRule(rule));
  MV_ASSERT_OK(store_.PutBytes("k", "x"));
  MV_EXPECT_CODE(store_.Head("k"), StatusCode::kUnavailable);
  MV_EXPECT_CODE(store_.Head("k"), StatusCode::kUnavailable);
  MV_EXPECT_OK(store_.Head("k"));
  int id = *store_.AddRule(Fail(StoreOp::kHead));
  MV_EXPECT_CODE(store_.Head("k"), StatusCode::kUnavailable);
  store_.RemoveRule(id);
  MV_EXPECT_OK(store_.Head("k"));
  MV_ASSERT_OK(store_.AddRule(Fail(StoreOp::kHead)));
  store_.ClearRules();
  MV_EXPECT_OK(store_.Head("k"));
}

std::vector<bool> Pattern(uint64_t seed, double p) {
  FaultInjectingStore store(MakeMemoryStore(), seed);
  FaultRule rule = Fail(StoreOp::kDelete);
  rule.probability = p;
  EXPECT_TRUE(store.AddRule(rule).ok());
  std::vector<bool> failed;
  for (int i = 0; i < 1000; ++i) failed.push_back(!store.Delete("k").ok());
  return failed;
}

TEST_F(FaultInjectingStoreTest, ProbabilityIsSeededAndReplayable) {
  std::vector<bool> a = Pattern(7, 0.3), b = Pattern(7, 0.3), c = Pattern(8, 0.3);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto count = std::count(a.begin(), a.end(), true);
  EXPECT_GT(count, 200);
  EXPECT_LT(count, 400);
  std::vector<bool> never = Pattern(7, 0.0), always = Pattern(7, 1.0);
  EXPECT_EQ(std::count(never.begin(), never.end(), true), 0);
  EXPECT_EQ(std::count(always.begin(), always.end(), true), 1000);
}

TEST_F(FaultInjectingStoreTest, DelayThenSucceed) {
  FaultRule rule;
  rule.ops = StoreOp::kPut;
  rule.delay = std::chrono::milliseconds(50);
  rule.status = Status::Ok();
  MV_ASSERT_OK(store_.AddRule(rule));
  auto start = std::chrono::steady_clock::now();
  MV_EXPECT_OK(store_.PutBytes("slow", "x"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(*target_->GetBytes("slow"), "x");
  EXPECT_EQ(store_.Faults(StoreOp::kPut), 0u) << "a delay alone is not a fault";
}

TEST_F(FaultInjectingStoreTest, TornPutStoresAPrefixDespiteTheDigest) {
  FaultRule rule = Fail(StoreOp::kPut, Unavailable("connection reset during upload"));
  rule.truncate_after = 10;
  MV_ASSERT_OK(store_.AddRule(rule));
  std::string data = RandomBytes(1000, 1);
  PutOptions options;
  options.expected_sha256 = Sha256Hex(data);
  MV_EXPECT_CODE(store_.PutBytes("blob", data, options), StatusCode::kUnavailable);
  Result<std::string> stored = target_->GetBytes("blob");
  MV_ASSERT_OK(stored);
  EXPECT_EQ(*stored, data.substr(0, 10)) << "the torn object is what a careless store keeps";
}

TEST_F(FaultInjectingStoreTest, TornGetDeliversAPrefix) {
  std::string data = RandomBytes(1000, 2);
  MV_ASSERT_OK(target_->PutBytes("blob", data));
  MV_ASSERT_OK(target_->PutBytes("small", "tiny"));
  FaultRule rule = Fail(StoreOp::kGet);
  rule.truncate_after = 100;
  MV_ASSERT_OK(store_.AddRule(rule));
  std::string got;
  auto writer = MakeStringWriter(&got);
  MV_EXPECT_CODE(store_.Get("blob", *writer, {}), StatusCode::kUnavailable);
  EXPECT_EQ(got, data.substr(0, 100));
  got.clear();
  MV_EXPECT_CODE(store_.Get("small", *writer, {}), StatusCode::kUnavailable);
  EXPECT_EQ(got, "tiny");
  MV_EXPECT_CODE(store_.GetBytes("missing"), StatusCode::kNotFound);
}

TEST_F(FaultInjectingStoreTest, FileTransfersGoThroughTheRules) {
  TempDir dir;
  std::string path = dir.path() + "/f";
  std::ofstream(path) << "file body";
  MV_ASSERT_OK(store_.AddRule(Fail(StoreOp::kPut | StoreOp::kGet)));
  MV_EXPECT_CODE(store_.PutFile("k", path, {}), StatusCode::kUnavailable);
  MV_ASSERT_OK(target_->PutBytes("k", "stored"));
  std::string out = dir.path() + "/out";
  MV_EXPECT_CODE(store_.GetFile("k", out, {}), StatusCode::kUnavailable);
  EXPECT_EQ(TreeUnder(dir.path()), std::vector<std::string>{"f"}) << "GetFile left a file";
}

TEST_F(FaultInjectingStoreTest, DeleteManyFailsPerKey) {
  for (const char* key : {"a", "b", "c"}) MV_ASSERT_OK(store_.PutBytes(key, "x"));
  FaultRule rule = Fail(StoreOp::kDelete);
  rule.key_prefix = "b";
  MV_ASSERT_OK(store_.AddRule(rule));
  std::vector<std::string> keys = {"a", "b", "c"};
  std::vector<DeleteFailure> failures;
  MV_EXPECT_CODE(store_.DeleteMany(keys, &failures), StatusCode::kUnavailable);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].key, "b");
  EXPECT_TRUE(target_->Head("b").ok());
  EXPECT_FALSE(target_->Head("a").ok());
  EXPECT_EQ(store_.Calls(StoreOp::kDelete), 3u);
}

TEST_F(FaultInjectingStoreTest, CopyMatchesSourceOrDestination) {
  MV_ASSERT_OK(store_.PutBytes("src", "x"));
  FaultRule rule = Fail(StoreOp::kCopy);
  rule.key_prefix = "frozen/";
  MV_ASSERT_OK(store_.AddRule(rule));
  MV_EXPECT_CODE(store_.Copy("src", "frozen/dst", {}), StatusCode::kUnavailable);
  MV_EXPECT_OK(store_.Copy("src", "free/dst", {}));
  MV_EXPECT_CODE(store_.Copy("frozen/dst", "free/other", {}), StatusCode::kUnavailable);
}

TEST_F(FaultInjectingStoreTest, RulesChangeWhileInUse) {
  MV_ASSERT_OK(target_->PutBytes("k", "value"));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> calls{0}, failed{0};
  std::vector<std::thread> users;
  for (int t = 0; t < 4; ++t) {
    users.emplace_back([&] {
      while (!stop) {
        Result<std::string> got = store_.GetBytes("k");
        ++calls;
        if (!got.ok()) {
          ++failed;
        } else if (*got != "value") {
          ADD_FAILURE() << "wrong content";
        }
      }
    });
  }
  for (int i = 0; i < 300; ++i) {
    FaultRule rule = Fail(StoreOp::kGet);
    rule.probability = 0.5;
    int id = *store_.AddRule(rule);
    std::this_thread::yield();
    if (i % 2 == 0) {
      store_.RemoveRule(id);
    } else {
      store_.ClearRules();
    }
  }
  stop = true;
  for (std::thread& t : users) t.join();
  EXPECT_EQ(store_.Calls(StoreOp::kGet), calls.load());
  EXPECT_EQ(store_.Faults(StoreOp::kGet), failed.load());
}

}  // namespace
}  // namespace mv::store
