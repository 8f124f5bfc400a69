// MultipartTransfer: the transfers of one object in parts over an S3Client: multipart upload (of
// a file, parts read in parallel; or of a stream, in waves), parallel ranged download pinned to
// one ETag, and UploadPartCopy copies above S3's single-copy limit. A failed upload is aborted.
//
// Keys are full object keys (store prefix included). Thread-safe: immutable after construction;
// each call runs up to `part_concurrency` requests in flight.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http/http_client.h"
#include "store/object_store.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_xml.h"
#include "util/io.h"
#include "util/status.h"

namespace mv::s3 {

struct MultipartOptions {
  uint64_t part_size = 16ull << 20;
  int part_concurrency = 8;  // parts in flight per transfer
};

class MultipartTransfer {
 public:
  // `client` must outlive this object.
  MultipartTransfer(const S3Client& client, MultipartOptions options);

  // Uploads the `size` bytes of the file at `path`; checks options.expected_sha256 in one
  // sequential pass beside the part uploads.
  Status PutFile(const std::string& key, const std::string& path, uint64_t size,
                 const store::PutOptions& options);
  // Uploads `first_chunk` followed by the rest of `reader`.
  Status PutStream(const std::string& key, Reader& reader, std::string first_chunk,
                   const store::PutOptions& options);
  // Downloads the object described by `info` (its size and ETag) to `path` with parallel ranged
  // GETs pinned to its ETag; the file appears at `path` complete or not at all.
  Status GetFile(const std::string& key, const std::string& path, const store::ObjectInfo& info);
  // Copies `size` bytes of `source` (a CopySource path, decoded) to `dst_key` by UploadPartCopy.
  Status Copy(const std::string& source, const std::string& dst_key, uint64_t size,
              const store::PutOptions& options);

 private:
  Result<std::string> Create(const std::string& key, const store::PutOptions& options);
  Status Complete(const std::string& key, const std::string& upload_id,
                  std::vector<CompletedPart> parts, uint64_t size);
  void Abort(const std::string& key, const std::string& upload_id);
  size_t MaxInFlight() const;

  const S3Client& client_;
  MultipartOptions options_;
};

// Request headers for content type and user metadata of a PutObject, CopyObject (REPLACE) or
// CreateMultipartUpload.
void AddPutHeaders(const store::PutOptions& options, http::Headers* headers);

}  // namespace mv::s3
