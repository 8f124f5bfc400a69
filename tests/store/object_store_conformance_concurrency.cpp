// Conformance: concurrency (one store shared by many threads), atomic visibility, key counts.
#include <atomic>
#include <thread>

#include "store/object_store_conformance.h"
#include "util/hash.h"

namespace mv::store {
namespace {

// Runs fn(0..n-1) on n threads and waits.
template <typename Fn>
void RunThreads(int n, Fn fn) {
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
  for (std::thread& t : threads) t.join();
}

std::string KeyOf(int thread, int i) {
  char key[64];
  std::snprintf(key, sizeof key, "conc/t%02d/k%03d", thread, i);
  return key;
}

}  // namespace

TEST_P(ObjectStoreConformance, IfAbsentRaceHasExactlyOneWinner) {
  if (!store().SupportsConditionalPut())
    GTEST_SKIP() << store().Describe() << ": no conditional put";
  for (int round = 0; round < 5; ++round) {
    const std::string key = "race/" + std::to_string(round);
    std::atomic<int> winners{0}, losers{0}, other{0};
    std::vector<std::string> bodies(8);
    RunThreads(8, [&](int t) {
      bodies[t] = "writer " + std::to_string(t) + " " + RandomBytes(20000, t);
      PutOptions options;
      options.if_absent = true;
      Status st = store().PutBytes(key, bodies[t], options);
      if (st.ok()) {
        ++winners;
      } else if (st.IsPreconditionFailed()) {
        ++losers;
      } else {
        ++other;
        ADD_FAILURE() << st.ToString();
      }
    });
    EXPECT_EQ(winners.load(), 1) << key;
    EXPECT_EQ(losers.load(), 7) << key;
    std::string content = Get(key);
    EXPECT_EQ(std::count(bodies.begin(), bodies.end(), content), 1)
        << "the object is not one writer's whole body";
  }
}

TEST_P(ObjectStoreConformance, ManyThreadsPutGetVerify) {
  constexpr int kThreads = 16, kKeys = 50;
  std::atomic<int> failures{0};
  RunThreads(kThreads, [&](int t) {
    for (int i = 0; i < kKeys; ++i) {
      std::string key = KeyOf(t, i);
      std::string data = RandomBytes(100 + static_cast<size_t>(t * 997 + i * 31) % 5000,
                                     static_cast<uint64_t>(t * 1000 + i));
      PutOptions options;
      options.expected_sha256 = Sha256Hex(data);
      Status st = store().PutBytes(key, data, options);
      Result<std::string> got = st.ok() ? store().GetBytes(key) : Result<std::string>(st);
      if (!got.ok() || *got != data) {
        ++failures;
        ADD_FAILURE() << key << ": " << got.status().ToString();
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  ListOptions options;
  options.prefix = "conc/";
  EXPECT_EQ(ListKeys(options).size(), static_cast<size_t>(kThreads * kKeys));
}

TEST_P(ObjectStoreConformance, ReadersSeeOnlyWholeVersions) {
  const std::string a(1 << 20, 'a'), b(1 << 19, 'b');
  Put("flip", a);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, reads{0};
  std::thread writer([&] {
    for (int i = 0; i < 30; ++i) Put("flip", i % 2 == 0 ? b : a);
    done = true;
  });
  RunThreads(3, [&](int) {
    while (!done) {
      Result<std::string> got = store().GetBytes("flip");
      if (!got.ok()) {
        ++torn;
        ADD_FAILURE() << got.status().ToString();
        continue;
      }
      ++reads;
      if (*got != a && *got != b) ++torn;
    }
  });
  writer.join();
  EXPECT_EQ(torn.load(), 0) << "a reader saw a partial or mixed object";
  EXPECT_GT(reads.load(), 0);
}

TEST_P(ObjectStoreConformance, ConcurrentPutsAndDeletesInOneDirectory) {
  std::atomic<int> failures{0};
  RunThreads(8, [&](int t) {
    for (int i = 0; i < 40; ++i) {
      std::string key = "shared/dir/" + std::to_string(t) + "-" + std::to_string(i);
      Status st = store().PutBytes(key, "x");
      if (st.ok()) st = store().Delete(key);
      if (!st.ok()) {
        ++failures;
        ADD_FAILURE() << key << ": " << st.ToString();
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  ListOptions options;
  options.prefix = "shared/";
  EXPECT_TRUE(ListKeys(options).empty());
}

TEST_P(ObjectStoreConformance, ThousandKeysListedInPages) {
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    char key[64];
    std::snprintf(key, sizeof key, "many/%02x/%04d", (i * 37) % 16, i);
    keys.push_back(key);
  }
  RunThreads(8, [&](int t) {
    for (size_t i = static_cast<size_t>(t); i < keys.size(); i += 8) Put(keys[i], keys[i]);
  });
  std::sort(keys.begin(), keys.end());
  ListOptions options;
  options.prefix = "many/";
  options.max_keys = 100;
  int pages = 0;
  std::vector<std::string> seen;
  MV_ASSERT_OK(store().ListAll(options, [&](const ListPage& page) {
    ++pages;
    EXPECT_LE(page.objects.size(), 100u);
    for (const ObjectInfo& info : page.objects) seen.push_back(info.key);
    return true;
  }));
  EXPECT_EQ(seen, keys);
  EXPECT_GE(pages, 10);
  options.max_keys = 1000;
  EXPECT_EQ(ListKeys(options), keys);
  ListOptions dirs;
  dirs.prefix = "many/";
  dirs.delimiter = "/";
  EXPECT_EQ(ListItems(dirs).size(), 16u);
}

}  // namespace mv::store
