#include "server/store_blob_reader.h"

#include <string>

#include "util/io.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace mv::server {
namespace {

// "s3", "file", "memory": the scheme of the store's URL, for metric labels.
std::string StoreKind(const store::ObjectStore& store) {
  const std::string url = store.Describe();
  const size_t colon = url.find("://");
  return colon == std::string::npos ? "other" : url.substr(0, colon);
}

class StoreBlobReader final : public httpd::BlobReader {
 public:
  StoreBlobReader(store::ObjectStore& store, ServerMetrics* metrics, Clock& clock,
                  StoreBlobReaderOptions options)
      : store_(store),
        metrics_(metrics),
        clock_(clock),
        options_(options),
        kind_(StoreKind(store)) {}

  Result<httpd::BlobBytes> Read(const httpd::BlobBody& blob, uint64_t offset,
                                uint64_t length) override {
    if (std::optional<Status> refused = Refused(); refused) return *refused;
    const auto start = clock_.SteadyNow();
    auto out = std::make_shared<std::string>();
    out->reserve(length);
    std::unique_ptr<Writer> writer = MakeStringWriter(out.get());
    store::GetOptions get;
    get.range = store::ByteRange{offset, offset + length - 1};
    get.size_hint = blob.object_size;
    get.max_attempts = options_.max_attempts;
    Status st = store_.Get(blob.key, *writer, get);
    if (st.ok() && out->size() != length) {
      st = Corruption("blob " + blob.key + " gave " + std::to_string(out->size()) +
                      " bytes where " + std::to_string(length) + " were expected");
    }
    const double seconds = std::chrono::duration<double>(clock_.SteadyNow() - start).count();
    if (metrics_ != nullptr) metrics_->RecordStoreRead(kind_, seconds, out->size(), st.ok());
    Observe(st);
    if (!st.ok()) return st;
    std::string_view bytes(*out);
    return httpd::BlobBytes{std::move(out), bytes};
  }

 private:
  // Unavailable while the store is held so, with the failure that made it so.
  std::optional<Status> Refused() EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    if (unavailable_until_ && clock_.SteadyNow() < *unavailable_until_) {
      return Unavailable("the store " + store_.Describe() + " is unavailable (" +
                         last_failure_.message() + "); not asked again for a moment");
    }
    return std::nullopt;
  }

  void Observe(const Status& st) EXCLUDES(mu_) {
    util::MutexLock lock(mu_);
    if (st.code() == StatusCode::kUnavailable) {
      unavailable_until_ = clock_.SteadyNow() + options_.unavailable_for;
      last_failure_ = st;
    } else if (st.ok()) {
      unavailable_until_.reset();
    }
  }

  store::ObjectStore& store_;
  ServerMetrics* const metrics_;
  Clock& clock_;
  const StoreBlobReaderOptions options_;
  const std::string kind_;
  util::Mutex mu_;
  std::optional<std::chrono::steady_clock::time_point> unavailable_until_ GUARDED_BY(mu_);
  Status last_failure_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<httpd::BlobReader> MakeStoreBlobReader(store::ObjectStore& store,
                                                       ServerMetrics* metrics, Clock& clock,
                                                       StoreBlobReaderOptions options) {
  return std::make_unique<StoreBlobReader>(store, metrics, clock, options);
}

}  // namespace mv::server
