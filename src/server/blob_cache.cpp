#include "server/blob_cache.h"

#include <future>
#include <string>
#include <unordered_map>

#include "server/lru_cache.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace mv::server {
namespace {

// A whole object as the reader below gave it (its buffer, no copy).
using Whole = std::shared_ptr<const httpd::BlobBytes>;

httpd::BlobBytes Slice(const Whole& whole, uint64_t offset, uint64_t length) {
  return httpd::BlobBytes{whole, whole->bytes.substr(offset, length)};
}

class BlobCache final : public httpd::BlobReader {
 public:
  BlobCache(httpd::BlobReader& below, BlobCacheOptions options)
      : below_(below),
        max_object_(options.max_object != 0 ? options.max_object
                                            : std::min<uint64_t>(options.budget / 16, 16ull << 20)),
        objects_(options.budget) {}

  std::optional<httpd::BlobBytes> ReadCached(const httpd::BlobBody& blob, uint64_t offset,
                                             uint64_t length) override {
    if (!Fits(blob)) return std::nullopt;
    Whole whole = objects_.Get(blob.key);
    if (whole == nullptr || offset + length > whole->bytes.size()) return std::nullopt;
    return Slice(whole, offset, length);
  }

  Result<httpd::BlobBytes> Read(const httpd::BlobBody& blob, uint64_t offset,
                                uint64_t length) override {
    if (!Fits(blob)) return below_.Read(blob, offset, length);
    if (std::optional<httpd::BlobBytes> hit = ReadCached(blob, offset, length)) return *hit;
    MV_ASSIGN_OR_RETURN(Whole whole, ReadWhole(blob));
    if (offset + length > whole->bytes.size()) {
      return Corruption("blob " + blob.key + " holds " + std::to_string(whole->bytes.size()) +
                        " bytes, not the " + std::to_string(blob.object_size) + " expected");
    }
    return Slice(whole, offset, length);
  }

 private:
  bool Fits(const httpd::BlobBody& blob) const {
    return blob.object_size > 0 && blob.object_size <= max_object_;
  }

  // The whole object, read once however many ask for it at the same time, and kept.
  Result<Whole> ReadWhole(const httpd::BlobBody& blob) EXCLUDES(mu_) {
    std::promise<Result<Whole>> promise;
    std::shared_future<Result<Whole>> flight;
    bool leader = false;
    {
      util::MutexLock lock(mu_);
      auto it = flights_.find(blob.key);
      if (it != flights_.end()) {
        flight = it->second;
      } else {
        flight = promise.get_future().share();
        flights_.emplace(blob.key, flight);
        leader = true;
      }
    }
    if (!leader) return flight.get();
    Result<Whole> whole = ReadBelow(blob);
    if (whole.ok()) objects_.Put(blob.key, *whole, (*whole)->bytes.size());
    promise.set_value(whole);
    util::MutexLock lock(mu_);
    flights_.erase(blob.key);
    return whole;
  }

  Result<Whole> ReadBelow(const httpd::BlobBody& blob) {
    const httpd::BlobBody all{blob.key, 0, blob.object_size, blob.object_size};
    MV_ASSIGN_OR_RETURN(httpd::BlobBytes bytes, below_.Read(all, 0, blob.object_size));
    return std::make_shared<const httpd::BlobBytes>(std::move(bytes));
  }

  httpd::BlobReader& below_;
  const uint64_t max_object_;
  LruCache<httpd::BlobBytes> objects_;  // by blob key, weighed in bytes
  util::Mutex mu_;
  std::unordered_map<std::string, std::shared_future<Result<Whole>>> flights_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<httpd::BlobReader> MakeBlobCache(httpd::BlobReader& below,
                                                 BlobCacheOptions options) {
  return std::make_unique<BlobCache>(below, options);
}

}  // namespace mv::server
