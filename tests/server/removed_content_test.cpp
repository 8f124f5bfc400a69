// The server's view of removals: a content withdrawn answers with its removal's id by either
// hash, a new removal is seen once the recheck interval has passed, and lookups from many
// threads while removals are made see either the old or the new set, never a torn one.
#include "server/removed_content.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "importer/import_test_util.h"
#include "util/hash.h"

namespace mv::testing {
namespace {

class RemovedContentTest : public ImportFixture {
 protected:
  archive::Removal Removal(const std::string& content, const std::string& id) {
    ContentHasher hasher;
    hasher.Update(content);
    const auto digests = hasher.Finish();
    return {.id = id,
            .removed = "2024-01-01T00:00:00Z",
            .removed_by = "test",
            .reason = "test",
            .files = {{.sha256 = digests.sha256, .sha1 = digests.sha1, .size = content.size()}}};
  }
  ManualClock clock_;
};

TEST_F(RemovedContentTest, FindsByEitherHashAndSeesNewRemovalsAfterTheRecheck) {
  ASSERT_TRUE(catalog_->RecordRemoval(Removal("secret", "20240101T000000Z-00000001")).ok());
  server::RemovedContent removed(*catalog_, clock_, std::chrono::seconds(1));
  ContentHasher hasher;
  hasher.Update("secret");
  const auto secret = hasher.Finish();
  EXPECT_EQ(removed.Find(archive::ToHex(secret.sha256)).value(), "20240101T000000Z-00000001");
  EXPECT_EQ(removed.Find(archive::ToHex(secret.sha1)).value(), "20240101T000000Z-00000001");
  EXPECT_EQ(removed.Find(secret.sha256).value(), "20240101T000000Z-00000001");
  EXPECT_FALSE(removed.Find(Sha256Hex("other")).value().has_value());

  ASSERT_TRUE(catalog_->RecordRemoval(Removal("other", "20240102T000000Z-00000002")).ok());
  EXPECT_FALSE(removed.Find(Sha256Hex("other")).value().has_value());  // not rechecked yet
  clock_.Advance(std::chrono::milliseconds(1001));
  EXPECT_EQ(removed.Find(Sha256Hex("other")).value(), "20240102T000000Z-00000002");
  EXPECT_EQ(removed.Find(archive::ToHex(secret.sha256)).value(), "20240101T000000Z-00000001");
}

TEST_F(RemovedContentTest, LookupsFromManyThreadsWhileRemovalsAreMade) {
  server::RemovedContent removed(*catalog_, SystemClock(), std::chrono::milliseconds(0));
  constexpr int kRemovals = 40;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0}, went_back{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      int before = 0;  // removals seen in the last pass: a snapshot only ever moves forward
      while (!done.load()) {
        int seen = 0;
        for (int i = kRemovals - 1; i >= 0; --i) {  // the newest first: then every older one
          auto found = removed.Find(Sha256Hex("content " + std::to_string(i)));
          if (!found.ok()) ++errors;
          if (found.ok() && found->has_value()) ++seen;
        }
        if (seen < before) ++went_back;
        before = seen;
      }
    });
  }
  for (int i = 0; i < kRemovals; ++i) {
    char id[48];
    std::snprintf(id, sizeof id, "20240101T0000%02dZ-%08d", i, i);
    ASSERT_TRUE(catalog_->RecordRemoval(Removal("content " + std::to_string(i), id)).ok());
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(went_back.load(), 0);
  // Alone now, a lookup refreshes (recheck 0) and sees the last removal.
  EXPECT_TRUE(removed.Find(Sha256Hex("content " + std::to_string(kRemovals - 1)))->has_value());
}

}  // namespace
}  // namespace mv::testing
