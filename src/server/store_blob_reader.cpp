#include "server/store_blob_reader.h"

#include <string>

#include "util/io.h"

namespace mv::server {
namespace {

class StoreBlobReader final : public httpd::BlobReader {
 public:
  explicit StoreBlobReader(store::ObjectStore& store) : store_(store) {}

  Status Read(const httpd::BlobBody& blob, uint64_t offset, uint64_t length,
              std::string* out) override {
    out->clear();
    out->reserve(length);
    std::unique_ptr<Writer> writer = MakeStringWriter(out);
    store::GetOptions get;
    get.range = store::ByteRange{offset, offset + length - 1};
    get.size_hint = blob.object_size;
    MV_RETURN_IF_ERROR(store_.Get(blob.key, *writer, get));
    if (out->size() != length) {
      return Corruption("blob " + blob.key + " gave " + std::to_string(out->size()) +
                        " bytes where " + std::to_string(length) + " were expected");
    }
    return Status::Ok();
  }

 private:
  store::ObjectStore& store_;
};

}  // namespace

std::unique_ptr<httpd::BlobReader> MakeStoreBlobReader(store::ObjectStore& store) {
  return std::make_unique<StoreBlobReader>(store);
}

}  // namespace mv::server
