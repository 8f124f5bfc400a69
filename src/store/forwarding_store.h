// ForwardingStore: passes every operation to a wrapped store. Decorators (fault injection,
// metrics, read-only) derive from it and override only what they change.
#pragma once

#include <memory>

#include "store/object_store.h"

namespace mv::store {

class ForwardingStore : public ObjectStore {
 public:
  explicit ForwardingStore(std::shared_ptr<ObjectStore> target) : target_(std::move(target)) {}

  std::string Describe() const override { return target_->Describe(); }
  bool SupportsConditionalPut() override { return target_->SupportsConditionalPut(); }
  bool SupportsBatchDelete() override { return target_->SupportsBatchDelete(); }
  bool SupportsServerSideCopy() const override { return target_->SupportsServerSideCopy(); }
  Status Put(const std::string& key, Reader& reader, const PutOptions& options) override {
    return target_->Put(key, reader, options);
  }
  Status PutFile(const std::string& key, const std::string& path,
                 const PutOptions& options) override {
    return target_->PutFile(key, path, options);
  }
  Status Get(const std::string& key, Writer& writer, const GetOptions& options) override {
    return target_->Get(key, writer, options);
  }
  Status GetFile(const std::string& key, const std::string& path,
                 const GetOptions& options) override {
    return target_->GetFile(key, path, options);
  }
  Result<ObjectInfo> Head(const std::string& key) override { return target_->Head(key); }
  Result<ListPage> List(const ListOptions& options) override { return target_->List(options); }
  Status Delete(const std::string& key) override { return target_->Delete(key); }
  Status DeleteMany(std::span<const std::string> keys,
                    std::vector<DeleteFailure>* failures) override {
    return target_->DeleteMany(keys, failures);
  }
  Result<std::string> AllowAnonymousRead(const std::vector<std::string>& cidrs) override {
    return target_->AllowAnonymousRead(cidrs);
  }
  Status Copy(const std::string& src_key, const std::string& dst_key,
              const PutOptions& options) override {
    return target_->Copy(src_key, dst_key, options);
  }
  std::optional<CopySource> CopySourceOf(const std::string& key) const override {
    return target_->CopySourceOf(key);
  }
  Status CopyFrom(const ObjectStore& source, const std::string& src_key, const std::string& dst_key,
                  uint64_t size, const PutOptions& options) override {
    return target_->CopyFrom(source, src_key, dst_key, size, options);
  }
  Status Sync() override { return target_->Sync(); }
  bool SupportsStaging() const override { return target_->SupportsStaging(); }
  Result<std::unique_ptr<StagedPut>> Stage(Reader& reader) override {
    return target_->Stage(reader);
  }
  Result<std::unique_ptr<StagedWriter>> StageWriter() override { return target_->StageWriter(); }
  Result<std::string> PresignGet(const std::string& key, std::chrono::seconds ttl) override {
    return target_->PresignGet(key, ttl);
  }

 protected:
  ObjectStore& target() { return *target_; }

 private:
  std::shared_ptr<ObjectStore> target_;
};

}  // namespace mv::store
