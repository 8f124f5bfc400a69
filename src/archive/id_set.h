// IdSet: a set of SHA-256 ids for marking millions of objects in bounded memory. The ids are
// uniform, so the set is 256 flat open-addressing tables chosen by the id's first byte (32 bytes
// a slot and a bit each). A table is kept between half and three quarters full (it grows by a
// little under half when three quarters are taken), so the set holds at most 64 bytes an id once
// past its first tables, and while a table grows only that table (1/256 of the set) is there
// twice: the set's peak is the same 64 bytes an id, not the 107 of one table growing whole.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "archive/ids.h"

namespace mv::archive {

class IdSet {
 public:
  // True when `id` was not in the set (it is now).
  bool Insert(const Sha256& id) {
    Table& t = tables_[id[0]];
    const size_t before = t.bytes();
    const bool inserted = t.Insert(id);
    if (inserted) {
      ++size_;
      if (t.bytes() != before) {
        bytes_ += t.bytes() - before;
        // While growing, the table was there twice: its old bytes beside its new.
        peak_bytes_ = std::max(peak_bytes_, bytes_ + before);
      }
    }
    return inserted;
  }
  bool Contains(const Sha256& id) const { return tables_[id[0]].Contains(id); }
  size_t size() const { return size_; }
  // Bytes the tables hold (their slots and their bits), and the most they held at once.
  size_t bytes() const { return bytes_; }
  size_t peak_bytes() const { return std::max(peak_bytes_, bytes_); }

 private:
  class Table {
   public:
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
    size_t bytes() const { return slots_.size() * sizeof(Sha256) + used_.size() * 8; }

   private:
    // The first byte chose the table; the next bytes are mapped onto its slots by a multiply.
    size_t Slot(const Sha256& id) const {
      uint32_t h = 0;
      std::memcpy(&h, id.data() + 1, sizeof h);
      return static_cast<size_t>((uint64_t{h} * slots_.size()) >> 32);  // slots < 2^32
    }
    size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
    bool Used(size_t i) const { return (used_[i / 64] >> (i % 64)) & 1; }
    void Grow() {
      std::vector<Sha256> old = std::move(slots_);
      std::vector<uint64_t> old_used = std::move(used_);
      // By a little under half (so that, the bits counted, an id takes at most 64 bytes), in
      // whole words of the bitmap.
      const size_t n =
          old.empty() ? 64 : std::max(old.size() + 64, old.size() * 149 / 100 / 64 * 64);
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

  std::array<Table, 256> tables_;
  size_t size_ = 0;
  size_t bytes_ = 0, peak_bytes_ = 0;
};

}  // namespace mv::archive
