// IdSet: a set of SHA-256 ids in one flat open-addressing table (32 bytes a slot and a bit), for
// marking millions of objects in bounded memory. The table is kept between half and three
// quarters full (it grows by a little under half when three quarters are taken), so it holds at
// most 64 bytes an id once grown, 43 just before it grows; while it grows the old table is there
// beside the new.
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
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t i = Slot(id);
    while (Used(i)) {
      if (slots_[i] == id) return false;
      i = Next(i);
    }
    slots_[i] = id;
    used_[i / 64] |= uint64_t{1} << (i % 64);
    ++size_;
    return true;
  }
  bool Contains(const Sha256& id) const {
    if (slots_.empty()) return false;
    for (size_t i = Slot(id); Used(i); i = Next(i)) {
      if (slots_[i] == id) return true;
    }
    return false;
  }
  size_t size() const { return size_; }
  // Bytes the table holds (its slots and their bits).
  size_t bytes() const { return slots_.size() * sizeof(Sha256) + used_.size() * 8; }

 private:
  // The ids are uniform: their first bytes are the hash, mapped onto the slots by a multiply.
  size_t Slot(const Sha256& id) const {
    uint64_t h = 0;
    std::memcpy(&h, id.data(), sizeof h);
    return static_cast<size_t>(((h >> 32) * slots_.size()) >> 32);  // slots < 2^32
  }
  size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  bool Used(size_t i) const { return (used_[i / 64] >> (i % 64)) & 1; }
  void Grow() {
    std::vector<Sha256> old = std::move(slots_);
    std::vector<uint64_t> old_used = std::move(used_);
    // By a little under half (so that, the bits counted, an id takes at most 64 bytes), in whole
    // words of the bitmap.
    const size_t n = old.empty() ? 1024 : old.size() * 149 / 100 / 64 * 64;
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
