// Internal to src/store/s3: the S3Store class, split over s3_store.cpp (single requests) and
// s3_multipart.cpp (multipart upload, parallel ranged download, large copies).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>

#include "store/s3/s3_store.h"
#include "store/s3/s3_xml.h"

namespace mv::s3 {

class S3Store final : public store::ObjectStore {
 public:
  explicit S3Store(S3StoreOptions options);

  std::string Describe() const override;
  bool SupportsConditionalPut() override;
  bool SupportsBatchDelete() override { return batch_delete_.load(); }
  bool SupportsServerSideCopy() const override { return true; }

  Status Put(const std::string& key, Reader& reader, const store::PutOptions& options) override;
  Status PutFile(const std::string& key, const std::string& path,
                 const store::PutOptions& options) override;
  Status Get(const std::string& key, Writer& writer, const store::GetOptions& options) override;
  Status GetFile(const std::string& key, const std::string& path,
                 const store::GetOptions& options) override;
  Result<store::ObjectInfo> Head(const std::string& key) override;
  Result<store::ListPage> List(const store::ListOptions& options) override;
  Status Delete(const std::string& key) override;
  Status DeleteMany(std::span<const std::string> keys,
                    std::vector<store::DeleteFailure>* failures) override;
  Status Copy(const std::string& src_key, const std::string& dst_key,
              const store::PutOptions& options) override;
  std::optional<store::CopySource> CopySourceOf(const std::string& key) const override;
  Status CopyFrom(const ObjectStore& source, const std::string& src_key,
                  const std::string& dst_key, uint64_t size,
                  const store::PutOptions& options) override;
  Result<std::string> PresignGet(const std::string& key, std::chrono::seconds ttl) override;
  Result<std::string> AllowAnonymousRead(const std::vector<std::string>& cidrs) override;

 private:
  std::string Full(const std::string& key) const { return options_.prefix + key; }
  std::string Url(const std::string& key) const { return client_.Describe(Full(key)); }

  // One PutObject of a rewindable, sized body.
  Status PutSingle(const std::string& key, Reader& body, const store::PutOptions& options);
  // Maps the failure of a ranged GET pinned with If-Match to one ETag.
  Status PinnedReadFailure(const std::string& key, const Status& status) const;
  // Reads `reader` into memory (for unsized or non-rewindable small bodies).
  Status PutBuffered(const std::string& key, Reader& reader, const store::PutOptions& options);

  // s3_multipart.cpp
  // Uploads parts produced by `next_part(number, &reader_holder)`.
  Status PutMultipartStream(const std::string& key, Reader& reader, std::string first_chunk,
                            const store::PutOptions& options);
  Status PutMultipartFile(const std::string& key, const std::string& path, uint64_t size,
                          const store::PutOptions& options);
  Status GetFileParallel(const std::string& key, const std::string& path,
                         const store::ObjectInfo& info);
  // A copy by the server from `source` (a CopySource path, decoded) of `size` bytes: one
  // CopyObject, or UploadPartCopy parts above S3's single-copy limit.
  Status CopyByServer(const std::string& source, const std::string& dst_key, uint64_t size,
                      const store::PutOptions& options, const std::string& what);
  Status CopyMultipart(const std::string& source, const std::string& dst_key, uint64_t size,
                       const store::PutOptions& options);
  // CopySource::service of this store.
  std::string Service() const;
  Result<std::string> CreateMultipart(const std::string& key, const store::PutOptions& options);
  Status CompleteMultipart(const std::string& key, const std::string& upload_id,
                           std::vector<CompletedPart> parts, uint64_t size);
  void AbortMultipart(const std::string& key, const std::string& upload_id);

  // Request headers for content type and user metadata.
  static void AddPutHeaders(const store::PutOptions& options, http::Headers* headers);

  S3StoreOptions options_;
  S3Client client_;
  std::once_flag probe_once_;
  bool conditional_put_ = false;  // written once under probe_once_
  std::atomic<bool> batch_delete_{true};
};

// Metadata header that marks an if_absent PutObject as ours, so a retry that meets 412 after a
// lost response can tell "we wrote it" from "someone else did".
inline constexpr char kPutIdMeta[] = "mv-put-id";

}  // namespace mv::s3
