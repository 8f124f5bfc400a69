// The bytes of file answers below the transport: the store reader (one ranged GET per read, few
// retries, fail-fast while the store is unavailable, metrics by store kind) and the in-memory
// cache of whole small objects (one store read for everyone who asks at once, ranges answered from
// memory, large objects passed through, the byte budget kept).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "server/blob_cache.h"
#include "server/metrics.h"
#include "server/read_buffers.h"
#include "server/store_blob_reader.h"
#include "store/fault_injecting_store.h"
#include "store/forwarding_store.h"
#include "store/memory_store.h"
#include "util/clock.h"

namespace mv::server {
namespace {

using store::FaultInjectingStore;
using store::FaultRule;
using store::StoreOp;

std::string Bytes(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + (i * 7) % 251);
  return s;
}

httpd::BlobBody Body(const std::string& key, uint64_t size) { return {key, 0, size, size}; }

struct StoreFixture {
  StoreFixture() : memory(store::MakeMemoryStore()) {
    faulty = std::make_shared<FaultInjectingStore>(memory);
  }
  std::shared_ptr<store::ObjectStore> memory;
  std::shared_ptr<FaultInjectingStore> faulty;
  ManualClock clock;
  ServerMetrics metrics;
};

TEST(StoreBlobReader, ReadsTheRangeAskedForInOneGet) {
  StoreFixture f;
  const std::string data = Bytes(100000, 'a');
  ASSERT_TRUE(f.memory->PutBytes("blobs/x", data).ok());
  auto reader = MakeStoreBlobReader(*f.faulty, &f.metrics, f.clock);
  Result<httpd::BlobBytes> got = reader->Read(Body("blobs/x", data.size()), 1000, 5000);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->bytes, data.substr(1000, 5000));
  EXPECT_EQ(f.faulty->Calls(StoreOp::kGet), 1u);
  const std::string text = f.metrics.Render({});
  EXPECT_NE(text.find("mirrorvault_store_read_bytes_count{store=\"memory\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("mirrorvault_store_read_failures_total{store=\"memory\"} 0"),
            std::string::npos);
}

TEST(StoreBlobReader, AnUnavailableStoreIsNotAskedAgainForAMomentThenIs) {
  StoreFixture f;
  ASSERT_TRUE(f.memory->PutBytes("blobs/x", "hello").ok());
  Result<int> rule = f.faulty->AddRule(FaultRule{.ops = StoreOp::kGet});
  ASSERT_TRUE(rule.ok());
  auto reader =
      MakeStoreBlobReader(*f.faulty, &f.metrics, f.clock,
                          {.max_attempts = 1, .unavailable_for = std::chrono::seconds(1)});
  Result<httpd::BlobBytes> first = reader->Read(Body("blobs/x", 5), 0, 5);
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(f.faulty->Calls(StoreOp::kGet), 1u);
  // Held unavailable: refused without a store call, saying why.
  Result<httpd::BlobBytes> second = reader->Read(Body("blobs/x", 5), 0, 5);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("injected fault"), std::string::npos);
  EXPECT_EQ(f.faulty->Calls(StoreOp::kGet), 1u);
  // The store is back; after the moment has passed it is asked again, and stays asked.
  f.faulty->RemoveRule(*rule);
  f.clock.Advance(std::chrono::milliseconds(1001));
  Result<httpd::BlobBytes> third = reader->Read(Body("blobs/x", 5), 0, 5);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->bytes, "hello");
  EXPECT_TRUE(reader->Read(Body("blobs/x", 5), 1, 2).ok());
  EXPECT_EQ(f.faulty->Calls(StoreOp::kGet), 3u);
  EXPECT_NE(f.metrics.Render({}).find("mirrorvault_store_read_failures_total{store=\"memory\"} 1"),
            std::string::npos);
}

TEST(StoreBlobReader, OtherFailuresDoNotHoldTheStoreUnavailable) {
  StoreFixture f;
  auto reader = MakeStoreBlobReader(*f.faulty, nullptr, f.clock);
  EXPECT_TRUE(reader->Read(Body("blobs/missing", 5), 0, 5).status().IsNotFound());
  ASSERT_TRUE(f.memory->PutBytes("blobs/missing", "hello").ok());
  EXPECT_TRUE(reader->Read(Body("blobs/missing", 5), 0, 5).ok());
}

TEST(StoreBlobReader, AShorterObjectThanExpectedIsCorruption) {
  StoreFixture f;
  ASSERT_TRUE(f.memory->PutBytes("blobs/x", "abc").ok());
  auto reader = MakeStoreBlobReader(*f.faulty, nullptr, f.clock);
  EXPECT_EQ(reader->Read(Body("blobs/x", 10), 0, 10).status().code(), StatusCode::kCorruption);
}

// A reader below the cache that counts its reads and can hold them until released.
class CountingReader final : public httpd::BlobReader {
 public:
  explicit CountingReader(std::string data) : data_(std::move(data)) {}
  Result<httpd::BlobBytes> Read(const httpd::BlobBody&, uint64_t offset, uint64_t length) override {
    reads.fetch_add(1);
    while (hold.load()) std::this_thread::yield();
    auto owned = std::make_shared<std::string>(data_.substr(offset, length));
    std::string_view view(*owned);
    return httpd::BlobBytes{std::move(owned), view};
  }
  std::atomic<int> reads{0};
  std::atomic<bool> hold{false};

 private:
  std::string data_;
};

TEST(StoreBlobReader, ALongerObjectThanTheRangeAskedForIsCorruption) {
  // The store ignores the range (as a server without Range support would) and sends it all: the
  // read fails rather than overrun its buffer or answer with the wrong bytes.
  class RangeIgnoringStore final : public store::ForwardingStore {
   public:
    using ForwardingStore::ForwardingStore;
    Status Get(const std::string& key, Writer& writer, const store::GetOptions&) override {
      return ForwardingStore::Get(key, writer, {});
    }
  };
  StoreFixture f;
  ASSERT_TRUE(f.memory->PutBytes("blobs/x", Bytes(1000, 'b')).ok());
  RangeIgnoringStore ignoring(f.memory);
  auto reader = MakeStoreBlobReader(ignoring, &f.metrics, f.clock);
  Result<httpd::BlobBytes> got = reader->Read(Body("blobs/x", 1000), 100, 10);
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
  EXPECT_NE(got.status().message().find("more bytes"), std::string::npos);
}

TEST(ReadBuffers, ABufferGivenBackIsReusedForTheSameSizeClass) {
  ReadBuffers buffers(10 << 20, std::chrono::hours(1));
  char* first = nullptr;
  {
    std::shared_ptr<ReadBuffer> a = buffers.Take(1 << 20);
    ASSERT_NE(a->data, nullptr);
    EXPECT_EQ(a->size, size_t{1} << 20);
    first = a->data;
    EXPECT_EQ(buffers.kept_bytes(), 0u);
  }
  EXPECT_EQ(buffers.kept_bytes(), size_t{1} << 20);
  std::shared_ptr<ReadBuffer> other = buffers.Take(2 << 20);  // another size: a new buffer
  EXPECT_NE(other->data, first);
  EXPECT_EQ(buffers.kept_bytes(), size_t{1} << 20);
  std::shared_ptr<ReadBuffer> again = buffers.Take(900 << 10);  // its size class: reused
  EXPECT_EQ(again->data, first);
  EXPECT_EQ(again->size, size_t{900} << 10);
  EXPECT_EQ(buffers.kept_bytes(), 0u);
}

TEST(ReadBuffers, AtMostTheLimitIsKeptTheOldestFreedFirst) {
  ReadBuffers buffers(3 << 20, std::chrono::hours(1));
  std::vector<std::shared_ptr<ReadBuffer>> held;
  for (int i = 0; i < 5; ++i) held.push_back(buffers.Take(1 << 20));
  char* newest = held.back()->data;
  held.clear();  // gives back the first first: the last three given back are kept
  EXPECT_EQ(buffers.kept_bytes(), size_t{3} << 20);
  held.push_back(buffers.Take(1 << 20));
  held.push_back(buffers.Take(1 << 20));
  held.push_back(buffers.Take(1 << 20));
  EXPECT_EQ(buffers.kept_bytes(), 0u);
  bool newest_reused = false;
  for (const auto& b : held) newest_reused = newest_reused || b->data == newest;
  EXPECT_TRUE(newest_reused);
  // Buffers in use count against the limit: with three held, one more given back is not kept.
  std::shared_ptr<ReadBuffer> extra = buffers.Take(1 << 20);
  extra.reset();
  EXPECT_EQ(buffers.kept_bytes(), 0u);
  held.pop_back();
  EXPECT_EQ(buffers.kept_bytes(), size_t{1} << 20);
  {
    ReadBuffers none(0, std::chrono::hours(1));
    std::shared_ptr<ReadBuffer> b = none.Take(100);
    b.reset();
    EXPECT_EQ(none.kept_bytes(), 0u);
  }
}

TEST(ReadBuffers, WhatIsKeptUnusedIsFreedAfterAWhile) {
  ReadBuffers buffers(10 << 20, std::chrono::milliseconds(500));
  buffers.Take(1 << 20).reset();
  EXPECT_EQ(buffers.kept_bytes(), size_t{1} << 20);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (buffers.kept_bytes() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(buffers.kept_bytes(), 0u);
}

TEST(ReadBuffers, ABufferMayOutliveThePool) {
  std::shared_ptr<ReadBuffer> kept;
  {
    ReadBuffers buffers(1 << 20, std::chrono::hours(1));
    kept = buffers.Take(4096);
    std::memset(kept->data, 'x', kept->size);
  }
  EXPECT_EQ(kept->data[4095], 'x');
  kept.reset();  // freed, not given back to a pool that is gone (ASan would tell)
}

TEST(BlobCache, ASmallObjectIsReadOnceAndItsRangesComeFromMemory) {
  const std::string data = Bytes(4096, 'k');
  CountingReader below(data);
  auto cache = MakeBlobCache(below, {.budget = 1 << 20});
  const httpd::BlobBody blob = Body("blobs/a", data.size());
  EXPECT_FALSE(cache->ReadCached(blob, 0, data.size()).has_value());
  Result<httpd::BlobBytes> part = cache->Read(blob, 100, 50);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->bytes, data.substr(100, 50));
  EXPECT_EQ(below.reads.load(), 1);  // the whole object, once
  std::optional<httpd::BlobBytes> whole = cache->ReadCached(blob, 0, data.size());
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->bytes, data);
  ASSERT_TRUE(cache->Read(blob, 4000, 96).ok());
  EXPECT_EQ(below.reads.load(), 1);
  // Past the end of what is kept: not answered from memory.
  EXPECT_FALSE(cache->ReadCached(blob, 4000, 97).has_value());
}

TEST(BlobCache, EveryoneAskingAtOnceSharesOneRead) {
  const std::string data = Bytes(8192, 'c');
  CountingReader below(data);
  auto cache = MakeBlobCache(below, {.budget = 1 << 20});
  below.hold = true;
  std::vector<std::thread> readers;
  std::atomic<int> right{0};
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&, i] {
      Result<httpd::BlobBytes> got = cache->Read(Body("blobs/b", data.size()), i * 10, 10);
      if (got.ok() && got->bytes == data.substr(i * 10, 10)) right.fetch_add(1);
    });
  }
  while (below.reads.load() == 0) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the others reach the flight
  below.hold = false;
  for (auto& t : readers) t.join();
  EXPECT_EQ(right.load(), 8);
  EXPECT_EQ(below.reads.load(), 1);
}

TEST(BlobCache, LargeObjectsPassThroughAndTheBudgetIsKept) {
  const std::string data = Bytes(64 * 1024, 'l');
  CountingReader below(data);
  // Objects up to 16 KiB are kept, 32 KiB in all.
  auto cache = MakeBlobCache(below, {.budget = 32 * 1024, .max_object = 16 * 1024});
  ASSERT_TRUE(cache->Read(Body("blobs/large", data.size()), 0, 100).ok());
  ASSERT_TRUE(cache->Read(Body("blobs/large", data.size()), 0, 100).ok());
  EXPECT_EQ(below.reads.load(), 2);  // not kept: each read goes below, for its range only
  EXPECT_FALSE(cache->ReadCached(Body("blobs/large", data.size()), 0, 100).has_value());
  // Three objects of 16 KiB: the least recently used one goes.
  for (const char* key : {"blobs/1", "blobs/2", "blobs/3"}) {
    ASSERT_TRUE(cache->Read(Body(key, 16 * 1024), 0, 10).ok());
  }
  EXPECT_FALSE(cache->ReadCached(Body("blobs/1", 16 * 1024), 0, 10).has_value());
  EXPECT_TRUE(cache->ReadCached(Body("blobs/2", 16 * 1024), 0, 10).has_value());
  EXPECT_TRUE(cache->ReadCached(Body("blobs/3", 16 * 1024), 0, 10).has_value());
}

TEST(BlobCache, ABudgetOfZeroKeepsNothing) {
  const std::string data = Bytes(100, 'z');
  CountingReader below(data);
  auto cache = MakeBlobCache(below, {.budget = 0});
  ASSERT_TRUE(cache->Read(Body("blobs/z", 100), 0, 100).ok());
  EXPECT_FALSE(cache->ReadCached(Body("blobs/z", 100), 0, 100).has_value());
  ASSERT_TRUE(cache->Read(Body("blobs/z", 100), 0, 100).ok());
  EXPECT_EQ(below.reads.load(), 2);
}

}  // namespace
}  // namespace mv::server
