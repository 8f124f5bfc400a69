#include "server/store_blob_reader.h"

#include <cstring>
#include <string>

#include "server/read_buffers.h"
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

// Fills a buffer of the expected length; a byte beyond it fails the read.
class BufferWriter final : public Writer {
 public:
  explicit BufferWriter(ReadBuffer& buffer) : buffer_(buffer) {}
  Status Write(std::string_view data) override {
    if (data.size() > buffer_.size - filled_) {
      overflow_ = true;
      return Corruption("more bytes than the " + std::to_string(buffer_.size) + " asked for");
    }
    std::memcpy(buffer_.data + filled_, data.data(), data.size());
    filled_ += data.size();
    return Status::Ok();
  }
  size_t filled() const { return filled_; }
  bool overflow() const { return overflow_; }

 private:
  ReadBuffer& buffer_;
  size_t filled_ = 0;
  bool overflow_ = false;
};

class StoreBlobReader final : public httpd::BlobReader {
 public:
  StoreBlobReader(store::ObjectStore& store, ServerMetrics* metrics, Clock& clock,
                  StoreBlobReaderOptions options)
      : store_(store),
        metrics_(metrics),
        clock_(clock),
        options_(options),
        kind_(StoreKind(store)),
        buffers_(options.keep_buffers, options.keep_buffers_for) {}

  Result<httpd::BlobBytes> Read(const httpd::BlobBody& blob, uint64_t offset,
                                uint64_t length) override {
    if (std::optional<Status> refused = Refused(); refused) return *refused;
    const auto start = clock_.SteadyNow();
    // A whole object may be kept long (by the blob cache): it takes no pooled buffer.
    const bool whole = offset == 0 && length == blob.object_size;
    std::shared_ptr<ReadBuffer> buffer =
        whole ? ReadBuffers::Unpooled(length) : buffers_.Take(length);
    BufferWriter writer(*buffer);
    store::GetOptions get;
    get.range = store::ByteRange{offset, offset + length - 1};
    get.size_hint = blob.object_size;
    get.max_attempts = options_.max_attempts;
    Status st = store_.Get(blob.key, writer, get);
    if ((st.ok() || writer.overflow()) && writer.filled() != length) {
      st = Corruption("blob " + blob.key + " gave " + (writer.overflow() ? "more" : "fewer") +
                      " bytes than the " + std::to_string(length) + " asked for at offset " +
                      std::to_string(offset));
    }
    const double seconds = std::chrono::duration<double>(clock_.SteadyNow() - start).count();
    if (metrics_ != nullptr) metrics_->RecordStoreRead(kind_, seconds, writer.filled(), st.ok());
    Observe(st);
    if (!st.ok()) return st;
    std::string_view bytes(buffer->data, length);
    return httpd::BlobBytes{std::move(buffer), bytes};
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
  ReadBuffers buffers_;
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
