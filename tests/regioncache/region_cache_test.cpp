// RegionCache on real local stores and the catalog state on SQLite: one copy however many ask
// (in one instance, and across two sharing the state), hits, the wait bound with its fallback,
// a failed copy retried, expiry by budget (least recently used) and ttl, sparing copies a
// redirect may still use, and the state rebuilt from a region's store after it was lost.
#include "regioncache/region_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/forwarding_store.h"
#include "store/memory_store.h"
#include "store/open_store.h"
#include "support/status_assert.h"
#include "support/temp_dir.h"
#include "util/hash.h"

namespace mv::regioncache {
namespace {

using namespace std::chrono_literals;

// Counts writes, and can make them slow.
class CountingStore final : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status PutFile(const std::string& key, const std::string& path,
                 const store::PutOptions& options) override {
    ++writes;
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    return ForwardingStore::PutFile(key, path, options);
  }
  Status Put(const std::string& key, Reader& reader, const store::PutOptions& options) override {
    ++writes;
    return ForwardingStore::Put(key, reader, options);
  }
  std::atomic<int> writes{0};
  std::chrono::milliseconds delay{0};
};

class RegionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto local = store::OpenStore("file://" + dir_.path() + "/r1", {});
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    region_store_ = std::make_shared<CountingStore>(*local);
    config_.wait = 5s;
    config_.regions.push_back(RegionConfig{.name = "r1",
                                           .store = "file://" + dir_.path() + "/r1",
                                           .redirect = RedirectMode::kPublic,
                                           .public_base = "https://r1.example/"});
    auto db = db::OpenDatabase("sqlite://" + dir_.path() + "/state.db");
    ASSERT_TRUE(db.ok());
    database_ = *db;
  }
  archive::Sha256 Blob(const std::string& content) {
    archive::Sha256 sha = archive::ParseSha256(Sha256Hex(content)).value();
    EXPECT_TRUE(archive_->PutBytes(archive::BlobKey(sha), content).ok());
    return sha;
  }
  std::unique_ptr<RegionCache> Make(const std::string& owner, Clock* clock = nullptr) {
    auto state = OpenCatalogCopyState(database_, {.clock = clock});
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return std::make_unique<RegionCache>(
        config_, std::map<std::string, std::shared_ptr<store::ObjectStore>>{{"r1", region_store_}},
        std::move(*state), owner, clock);
  }

  mv::testing::TempDir dir_;
  std::shared_ptr<store::ObjectStore> archive_ = store::MakeMemoryStore();
  std::shared_ptr<CountingStore> region_store_;
  std::shared_ptr<db::Database> database_;
  RegionCacheConfig config_;
};

TEST_F(RegionCacheTest, OneCopyForManyConcurrentRequestsAcrossTwoInstances) {
  const std::string content(300000, 'x');
  const archive::Sha256 sha = Blob(content);
  region_store_->delay = 200ms;  // long enough for every request to find the copy in flight
  auto a = Make("instance-a");
  auto b = Make("instance-b");
  std::vector<std::thread> threads;
  std::atomic<int> redirected{0}, fell_back{0};
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      RegionCache& cache = i % 2 == 0 ? *a : *b;
      auto r = cache.ForBlob("r1", *archive_, sha, content.size(), "/origin");
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (r->fallback) {
        ++fell_back;
      } else if (r->location == "https://r1.example/" + archive::BlobKey(sha)) {
        ++redirected;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(region_store_->writes.load(), 1) << "one copy, however many asked";
  EXPECT_EQ(redirected.load(), 50);
  EXPECT_EQ(fell_back.load(), 0);
  auto copied = region_store_->GetBytes(archive::BlobKey(sha));
  MV_ASSERT_OK(copied);
  EXPECT_TRUE(*copied == content);
  auto again = a->ForBlob("r1", *archive_, sha, content.size(), "/origin");
  MV_ASSERT_OK(again);
  EXPECT_TRUE(again->hit);
  auto stats = a->Stats();
  EXPECT_EQ(stats["r1"].copies + b->Stats()["r1"].copies, 1u);
  EXPECT_EQ(stats["r1"].hits, 1u);
}

TEST_F(RegionCacheTest, WaitBoundFallsBackAndTheCopyGoesOn) {
  config_.wait = 50ms;
  region_store_->delay = 400ms;
  const archive::Sha256 sha = Blob("slow content");
  auto cache = Make("i");
  auto first = cache->ForBlob("r1", *archive_, sha, 12, "/archive/a/now/x");
  MV_ASSERT_OK(first);
  EXPECT_TRUE(first->fallback);
  EXPECT_EQ(first->location, "/archive/a/now/x");
  EXPECT_NE(first->reason.find("not done within"), std::string::npos) << first->reason;
  std::this_thread::sleep_for(600ms);
  auto later = cache->ForBlob("r1", *archive_, sha, 12, "/archive/a/now/x");
  MV_ASSERT_OK(later);
  EXPECT_FALSE(later->fallback);
  EXPECT_TRUE(later->hit);
  EXPECT_EQ(region_store_->writes.load(), 1);
  EXPECT_TRUE(cache->ForBlob("nowhere", *archive_, sha, 12, "/x").status().IsNotFound());
}

TEST_F(RegionCacheTest, AFailedCopyFallsBackAndIsTriedAgain) {
  const archive::Sha256 sha = archive::ParseSha256(Sha256Hex("not stored yet")).value();
  auto cache = Make("i");
  auto failed = cache->ForBlob("r1", *archive_, sha, 14, "/origin");
  MV_ASSERT_OK(failed);
  EXPECT_TRUE(failed->fallback);
  EXPECT_NE(failed->reason.find("not found"), std::string::npos) << failed->reason;
  ASSERT_TRUE(archive_->PutBytes(archive::BlobKey(sha), "not stored yet").ok());
  auto retried = cache->ForBlob("r1", *archive_, sha, 14, "/origin");
  MV_ASSERT_OK(retried);
  EXPECT_FALSE(retried->fallback) << retried->reason;
  EXPECT_EQ(cache->Stats()["r1"].copy_failures, 1u);
}

TEST_F(RegionCacheTest, ExpiryByBudgetAndTtlSparesCopiesInUse) {
  ManualClock clock;
  config_.regions[0].budget = 250;  // two of the 100-byte blobs fit
  config_.regions[0].ttl = 24h;
  config_.regions[0].presign_ttl = 600s;
  auto cache = Make("i", &clock);
  std::vector<archive::Sha256> blobs;
  for (char c : std::string("abc")) {
    blobs.push_back(Blob(std::string(100, c)));
    clock.Advance(1h);  // past every earlier redirect's validity
    auto r = cache->ForBlob("r1", *archive_, blobs.back(), 100, "/o");
    MV_ASSERT_OK(r);
    ASSERT_FALSE(r->fallback) << r->reason;
  }
  // The third copy pushed the region over its budget: the least recently used one went.
  EXPECT_FALSE(region_store_->Head(archive::BlobKey(blobs[0])).ok());
  EXPECT_TRUE(region_store_->Head(archive::BlobKey(blobs[1])).ok());
  EXPECT_TRUE(region_store_->Head(archive::BlobKey(blobs[2])).ok());
  // A fresh redirect protects a copy for its validity; the ttl removes the rest.
  clock.Advance(25h);
  auto used = cache->ForBlob("r1", *archive_, blobs[2], 100, "/o");
  MV_ASSERT_OK(used);
  EXPECT_TRUE(used->hit);
  auto expired = cache->Expire("r1");
  MV_ASSERT_OK(expired);
  EXPECT_EQ(*expired, 1);
  EXPECT_FALSE(region_store_->Head(archive::BlobKey(blobs[1])).ok());
  EXPECT_TRUE(region_store_->Head(archive::BlobKey(blobs[2])).ok()) << "in use";
  EXPECT_EQ(cache->Stats()["r1"].evictions, 2u);
}

TEST_F(RegionCacheTest, TheExpiryThreadRemovesCopiesPastTheirTtlWithoutANewCopy) {
  config_.regions[0].ttl = 100ms;
  config_.regions[0].hold = 0ms;
  auto cache = Make("i");
  const archive::Sha256 sha = Blob("expires");
  auto r = cache->ForBlob("r1", *archive_, sha, 7, "/o");
  MV_ASSERT_OK(r);
  ASSERT_FALSE(r->fallback) << r->reason;
  ASSERT_TRUE(region_store_->Head(archive::BlobKey(sha)).ok());
  cache->ExpireEvery(50ms);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::this_thread::sleep_for(20ms);
    // Counted once the state has forgotten it too.
    gone = region_store_->Head(archive::BlobKey(sha)).status().IsNotFound() &&
           cache->Stats()["r1"].evictions == 1;
  }
  EXPECT_TRUE(gone) << "the copy outlived its ttl by 2 s";
  cache.reset();  // stops the thread at once (not after its period)
}

TEST_F(RegionCacheTest, TheSweepRebuildsAStateLostUnderTheRunningServer) {
  auto cache = Make("i");
  const archive::Sha256 sha = Blob("survives");
  auto r = cache->ForBlob("r1", *archive_, sha, 8, "/o");
  MV_ASSERT_OK(r);
  ASSERT_FALSE(r->fallback) << r->reason;
  MV_ASSERT_OK(cache->Rebuild("r1"));  // as serve does at start: the region is recorded as built
  // The state is lost under it (as when Redis restarts empty).
  {
    auto connection = database_->Acquire();
    MV_ASSERT_OK(connection);
    MV_ASSERT_OK(
        (*connection)
            ->ExecuteScript("DELETE FROM regioncache_copies; DELETE FROM regioncache_built;"));
  }
  cache->ExpireEvery(50ms);
  auto state = OpenCatalogCopyState(database_);
  MV_ASSERT_OK(state);
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    std::this_thread::sleep_for(20ms);
    auto entry = (*state)->Get("r1", archive::BlobKey(sha));
    back = entry.ok() && entry->has_value() && (*entry)->ready;
  }
  EXPECT_TRUE(back) << "the copy is not back in the state after 2 s of sweeps";
  const int writes = region_store_->writes.load();
  auto hit = cache->ForBlob("r1", *archive_, sha, 8, "/o");
  MV_ASSERT_OK(hit);
  EXPECT_EQ(region_store_->writes.load(), writes) << "no new copy";
}

TEST_F(RegionCacheTest, RebuildRestoresALostStateFromTheRegionsStore) {
  ManualClock clock;
  config_.regions[0].budget = 250;  // two of the 100-byte blobs fit
  config_.regions[0].hold = 10s;
  auto memory = std::make_shared<CountingStore>(store::MakeMemoryStore());
  auto with_state = [&](std::shared_ptr<db::Database> database) {
    auto state = OpenCatalogCopyState(database, {.clock = &clock});
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return std::make_unique<RegionCache>(
        config_, std::map<std::string, std::shared_ptr<store::ObjectStore>>{{"r1", memory}},
        std::move(*state), "i", &clock);
  };
  auto before = with_state(database_);
  auto nothing = before->Rebuild("r1");
  MV_ASSERT_OK(nothing);
  EXPECT_EQ(*nothing, 0) << "an empty store";
  std::vector<archive::Sha256> blobs;
  for (char c : std::string("ab")) {
    blobs.push_back(Blob(std::string(100, c)));
    clock.Advance(1h);
    auto r = before->ForBlob("r1", *archive_, blobs.back(), 100, "/o");
    MV_ASSERT_OK(r);
    ASSERT_FALSE(r->fallback) << r->reason;
  }
  ASSERT_TRUE(memory->PutBytes("not-a-copy", "x").ok());
  before.reset();

  // The state is lost (a fresh one), the copies are still in the store.
  auto lost = db::OpenDatabase("sqlite://" + dir_.path() + "/lost.db");
  MV_ASSERT_OK(lost);
  auto after = with_state(*lost);
  auto restored = after->Rebuild("r1");
  MV_ASSERT_OK(restored);
  EXPECT_EQ(*restored, 2);
  auto again = after->Rebuild("r1");
  MV_ASSERT_OK(again);
  EXPECT_EQ(*again, 0) << "built: not rebuilt at every start";
  EXPECT_TRUE(after->Rebuild("nowhere").status().IsNotFound());
  auto state = OpenCatalogCopyState(*lost, {.clock = &clock});
  MV_ASSERT_OK(state);
  auto ready = (*state)->ListReady("r1");
  MV_ASSERT_OK(ready);
  ASSERT_EQ(ready->size(), 2u);
  std::set<std::string> keys;
  for (const CopyEntry& e : *ready) {
    keys.insert(e.key);
    EXPECT_EQ(e.size, 100u);
    EXPECT_LE(e.last_used, clock.Now());
    EXPECT_EQ(e.in_use_until, clock.Now() + 10s) << "held: a redirect may be out";
  }
  EXPECT_EQ(keys, (std::set<std::string>{archive::BlobKey(blobs[0]), archive::BlobKey(blobs[1])}));

  // A hit without a new copy, and the budget counts the restored copies.
  clock.Advance(1h);
  const int writes = memory->writes.load();
  auto hit = after->ForBlob("r1", *archive_, blobs[1], 100, "/o");
  MV_ASSERT_OK(hit);
  EXPECT_TRUE(hit->hit);
  EXPECT_EQ(memory->writes.load(), writes) << "no new copy";
  blobs.push_back(Blob(std::string(100, 'c')));
  auto third = after->ForBlob("r1", *archive_, blobs[2], 100, "/o");
  MV_ASSERT_OK(third);
  ASSERT_FALSE(third->fallback) << third->reason;
  EXPECT_FALSE(memory->Head(archive::BlobKey(blobs[0])).ok()) << "over budget: the oldest went";
  EXPECT_TRUE(memory->Head(archive::BlobKey(blobs[1])).ok());
  EXPECT_TRUE(memory->Head(archive::BlobKey(blobs[2])).ok());
}

}  // namespace
}  // namespace mv::regioncache
