#include "store/memory_store.h"

#include <atomic>
#include <cstdio>
#include <map>
#include <vector>

#include "store/list_builder.h"
#include "store/store_checks.h"
#include "util/hash.h"
#include "util/mutex.h"

namespace mv::store {
namespace {

struct Object {
  std::shared_ptr<const std::string> data;
  std::string etag;
  std::chrono::system_clock::time_point last_modified;
  std::map<std::string, std::string> metadata;
  std::string content_type;
};

// The smallest string greater than every string starting with `prefix` ("" when none is).
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

class MemoryStore final : public ObjectStore {
 public:
  MemoryStore() {
    static std::atomic<unsigned> next_id{1};
    describe_ = "memory://" + std::to_string(next_id.fetch_add(1));
  }

  std::string Describe() const override { return describe_; }
  bool SupportsConditionalPut() override { return true; }
  bool SupportsBatchDelete() override { return true; }
  bool SupportsServerSideCopy() const override { return true; }

  Status Put(const std::string& key, Reader& reader, const PutOptions& options) override {
    MV_RETURN_IF_ERROR(ValidateKey(key));
    MV_RETURN_IF_ERROR(CheckPutOptions(key, options));
    auto data = std::make_shared<std::string>();
    auto writer = MakeStringWriter(data.get());
    Result<uint64_t> copied = CopyStream(reader, *writer);
    if (!copied.ok()) return copied.status().WithContext(Where("put", key));
    std::string sha256 = Sha256Hex(*data);
    if (options.expected_sha256 && *options.expected_sha256 != sha256) {
      return Sha256Mismatch(key, *options.expected_sha256, sha256).WithContext(Where("put", key));
    }
    Object object{std::move(data), std::move(sha256), std::chrono::system_clock::now(),
                  LowerCaseKeys(options.metadata), options.content_type};
    return Install(key, std::move(object), options.if_absent).WithContext(Where("put", key));
  }

  Status Get(const std::string& key, Writer& writer, const GetOptions& options) override {
    MV_RETURN_IF_ERROR(ValidateKey(key));
    std::shared_ptr<const std::string> data;
    {
      util::MutexLock lock(mu_);
      auto it = objects_.find(key);
      if (it == objects_.end()) return KeyNotFound(Where("get", key), key);
      data = it->second.data;
    }
    MV_ASSIGN_OR_RETURN(ReadSpan span, ResolveRange(key, options, data->size()));
    if (span.length == 0) return Status::Ok();
    return writer.Write(std::string_view(*data).substr(span.offset, span.length));
  }

  Result<ObjectInfo> Head(const std::string& key) override {
    MV_RETURN_IF_ERROR(ValidateKey(key));
    util::MutexLock lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return KeyNotFound(Where("head", key), key);
    ObjectInfo info = Summary(it->first, it->second);
    info.metadata = it->second.metadata;
    info.content_type = it->second.content_type;
    return info;
  }

  Result<ListPage> List(const ListOptions& options) override {
    MV_RETURN_IF_ERROR(ListBuilder::Check(options));
    ListBuilder builder(options);
    util::MutexLock lock(mu_);
    auto it = objects_.lower_bound(std::max(options.prefix, options.start_after));
    while (it != objects_.end() && it->first.starts_with(options.prefix)) {
      if (builder.SkipsSubtree(it->first)) {
        // Rolled up into a common prefix: jump past every key that shares it.
        std::string next =
            PrefixSuccessor(it->first.substr(0, CommonPrefixLength(options, it->first)));
        it = next.empty() ? objects_.end() : objects_.lower_bound(next);
        continue;
      }
      ListBuilder::Action action = builder.Offer(it->first);
      if (action == ListBuilder::Action::kStop) break;
      if (action == ListBuilder::Action::kTakeObject)
        builder.AddObject(Summary(it->first, it->second));
      ++it;
    }
    return std::move(builder).Finish();
  }

  Status Delete(const std::string& key) override {
    MV_RETURN_IF_ERROR(ValidateKey(key));
    util::MutexLock lock(mu_);
    objects_.erase(key);
    return Status::Ok();
  }

  Status DeleteMany(std::span<const std::string> keys,
                    std::vector<DeleteFailure>* failures) override {
    Status first;
    util::MutexLock lock(mu_);
    for (const std::string& key : keys) {
      Status st = ValidateKey(key);
      if (st.ok()) {
        objects_.erase(key);
        continue;
      }
      if (failures != nullptr) failures->push_back({key, st});
      if (first.ok()) first = st;
    }
    return first;
  }

  Status Copy(const std::string& src_key, const std::string& dst_key,
              const PutOptions& options) override {
    MV_RETURN_IF_ERROR(ValidateKey(src_key));
    MV_RETURN_IF_ERROR(ValidateKey(dst_key));
    MV_RETURN_IF_ERROR(CheckPutOptions(dst_key, options));
    Object copy;
    {
      util::MutexLock lock(mu_);
      auto it = objects_.find(src_key);
      if (it == objects_.end()) return KeyNotFound(Where("copy", src_key), src_key);
      copy = it->second;
    }
    if (options.expected_sha256 && *options.expected_sha256 != copy.etag) {
      return Sha256Mismatch(dst_key, *options.expected_sha256, copy.etag)
          .WithContext(Where("copy", src_key) + " to \"" + dst_key + "\"");
    }
    if (!options.metadata.empty() || !options.content_type.empty()) {
      copy.metadata = LowerCaseKeys(options.metadata);
      copy.content_type = options.content_type;
    }
    copy.last_modified = std::chrono::system_clock::now();
    return Install(dst_key, std::move(copy), options.if_absent)
        .WithContext(Where("copy", src_key) + " to \"" + dst_key + "\"");
  }

 private:
  std::string Where(const char* op, const std::string& key) const {
    return std::string(op) + " " + describe_ + "/" + key;
  }

  // The length of the common prefix `key` rolls up into (the whole key without a delimiter).
  static size_t CommonPrefixLength(const ListOptions& options, const std::string& key) {
    if (options.delimiter.empty()) return key.size();
    size_t at = key.find(options.delimiter, options.prefix.size());
    return at == std::string::npos ? key.size() : at + options.delimiter.size();
  }

  static ObjectInfo Summary(const std::string& key, const Object& object) {
    ObjectInfo info;
    info.key = key;
    info.size = object.data->size();
    info.etag = object.etag;
    info.last_modified = object.last_modified;
    return info;
  }

  Status Install(const std::string& key, Object object, bool if_absent) {
    util::MutexLock lock(mu_);
    if (if_absent) {
      auto [it, inserted] = objects_.try_emplace(key, std::move(object));
      if (!inserted) return KeyExists(key);
      return Status::Ok();
    }
    objects_.insert_or_assign(key, std::move(object));
    return Status::Ok();
  }

  std::string describe_;
  mutable util::Mutex mu_;
  std::map<std::string, Object> objects_ GUARDED_BY(mu_);
};

}  // namespace

std::shared_ptr<ObjectStore> MakeMemoryStore() { return std::make_shared<MemoryStore>(); }

}  // namespace mv::store
