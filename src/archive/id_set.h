// IdSet: a set of SHA-256 ids in one flat open-addressing table (32 bytes a slot, at most half
// full, so at most 64 bytes an id plus a bit), for marking millions of objects in bounded memory.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "archive/ids.h"

namespace mv::archive {

class IdSet {
 public:
  // True when `id` was not in the set (it is now).
  bool Insert(const Sha256& id) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Slot(id);
    while (Used(i)) {
      if (slots_[i] == id) return false;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = id;
    used_[i / 64] |= uint64_t{1} << (i % 64);
    ++size_;
    return true;
  }
  bool Contains(const Sha256& id) const {
    if (slots_.empty()) return false;
    for (size_t i = Slot(id); Used(i); i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == id) return true;
    }
    return false;
  }
  size_t size() const { return size_; }

 private:
  // The ids are uniform: their first bytes are the hash.
  size_t Slot(const Sha256& id) const {
    uint64_t h = 0;
    std::memcpy(&h, id.data(), sizeof h);
    return h & (slots_.size() - 1);
  }
  bool Used(size_t i) const { return (used_[i / 64] >> (i % 64)) & 1; }
  void Grow() {
    std::vector<Sha256> old = std::move(slots_);
    std::vector<uint64_t> old_used = std::move(used_);
    const size_t n = old.empty() ? 1024 : old.size() * 2;
    slots_.assign(n, Sha256{});
    used_.assign(n / 64, 0);
    size_ = 0;
    for (size_t i = 0; i < old.size(); ++i) {
      if ((old_used[i / 64] >> (i % 64)) & 1) Insert(old[i]);
    }
  }

  std::vector<Sha256> slots_;
  std::vector<uint64_t> used_;
  size_t size_ = 0;
};

}  // namespace mv::archive
