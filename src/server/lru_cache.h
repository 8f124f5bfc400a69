// A bounded map that forgets the least recently used entries: the server's caches of run lists,
// path lookups and directory listings. Values are shared_ptr<const V>, so a reader keeps what it
// got even when the entry is evicted meanwhile. Thread-safe (one mutex; the work under it is a
// hash lookup and a list splice).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace mv::server {

template <typename V>
class LruCache {
 public:
  // `capacity`: the most weight the cache holds; each entry weighs what Put is told (default 1).
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const V> Get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  void Put(const std::string& key, std::shared_ptr<const V> value, size_t weight = 1) {
    std::lock_guard lock(mu_);
    if (weight > capacity_) return;  // would evict everything else; not worth keeping
    auto it = index_.find(key);
    if (it != index_.end()) {
      weight_ -= it->second->weight;
      order_.erase(it->second);
      index_.erase(it);
    }
    order_.push_front(Entry{key, std::move(value), weight});
    index_.emplace(key, order_.begin());
    weight_ += weight;
    while (weight_ > capacity_ && !order_.empty()) {
      weight_ -= order_.back().weight;
      index_.erase(order_.back().key);
      order_.pop_back();
    }
  }

  void Clear() {
    std::lock_guard lock(mu_);
    order_.clear();
    index_.clear();
    weight_ = 0;
  }

  size_t weight() const {
    std::lock_guard lock(mu_);
    return weight_;
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    size_t weight;
  };
  mutable std::mutex mu_;
  size_t capacity_;
  size_t weight_ = 0;
  std::list<Entry> order_;  // most recent first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace mv::server
