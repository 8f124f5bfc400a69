#include "archive/node_source.h"

#include <list>
#include <unordered_map>

#include "archive/tree_fetch.h"
#include "util/mutex.h"

namespace mv::archive {
namespace {

Result<DecodedNode> DecodeChecked(const Sha256& id, std::string_view bytes,
                                  std::string_view where) {
  if (Sha256Of(bytes) != id) {
    return Corruption(std::string(where) + ": contents do not hash to the node's id");
  }
  return DecodeNode(bytes, where);
}

class StoreNodeSource final : public NodeSource {
 public:
  explicit StoreNodeSource(std::shared_ptr<store::ObjectStore> store) : store_(std::move(store)) {}

  Result<DecodedNode> GetNode(const Sha256& id) override {
    const std::string key = TreeKey(id);
    Result<std::string> bytes = store_->GetBytes(key);
    if (!bytes.ok()) {
      return bytes.status().WithContext("tree node " + key + " in " + store_->Describe());
    }
    return DecodeChecked(id, *bytes, key);
  }

 private:
  std::shared_ptr<store::ObjectStore> store_;
};

class CachedNodeSource final : public NodeSource {
 public:
  CachedNodeSource(std::shared_ptr<store::ObjectStore> store, Catalog* catalog, size_t capacity)
      : store_source_(std::move(store)), catalog_(catalog), capacity_(capacity) {}

  Result<DecodedNode> GetNode(const Sha256& id) override {
    {
      util::MutexLock lock(mu_);
      auto it = index_.find(id);
      if (it != index_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->second;
      }
    }
    Result<DecodedNode> node = Load(id);
    if (!node.ok()) return node;
    util::MutexLock lock(mu_);
    if (capacity_ > 0 && !index_.contains(id)) {
      lru_.emplace_front(id, *node);
      index_.emplace(id, lru_.begin());
      if (index_.size() > capacity_) {
        index_.erase(lru_.back().first);
        lru_.pop_back();
      }
    }
    return node;
  }

 private:
  Result<DecodedNode> Load(const Sha256& id) {
    if (catalog_ != nullptr) {
      MV_ASSIGN_OR_RETURN(std::optional<std::string> bytes, catalog_->GetNode(id));
      if (bytes) return DecodeChecked(id, *bytes, "cached tree node " + ToHex(id));
    }
    return store_source_.GetNode(id);
  }

  StoreNodeSource store_source_;
  Catalog* catalog_;
  const size_t capacity_;
  util::Mutex mu_;
  std::list<std::pair<Sha256, DecodedNode>> lru_ GUARDED_BY(mu_);  // most recent first
  std::unordered_map<Sha256, std::list<std::pair<Sha256, DecodedNode>>::iterator, IdHasher> index_
      GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<NodeSource> MakeStoreNodeSource(std::shared_ptr<store::ObjectStore> store) {
  return std::make_unique<StoreNodeSource>(std::move(store));
}

std::unique_ptr<NodeSource> MakeCachedNodeSource(std::shared_ptr<store::ObjectStore> store,
                                                 Catalog* catalog, size_t memory_nodes) {
  return std::make_unique<CachedNodeSource>(std::move(store), catalog, memory_nodes);
}

}  // namespace mv::archive
