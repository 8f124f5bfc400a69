#include "apt/paragraph_diff.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstdint>

#include "apt/deb822.h"

namespace mv::apt {
namespace {

// The old text's paragraphs by text: an open-addressing table of distinct texts, each with how
// many times the old text has it and how many of those the new text has not matched yet. Texts
// are told apart by a 64-bit XXH3 and then by their bytes, so two texts with one hash only cost a
// further probe.
class ParagraphTable {
 public:
  explicit ParagraphTable(size_t expected)
      : slots_(std::bit_ceil(std::max<size_t>(16, expected * 2))), mask_(slots_.size() - 1) {}

  static uint64_t Hash(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

  void Add(std::string_view text, uint64_t hash) {
    Slot& s = Find(text, hash);
    if (s.count == 0) {
      s = {hash, text.data(), text.size(), 1, 0, 0};
      if (++used_ * 2 > slots_.size()) Grow();
      return;
    }
    ++s.count;
  }

  // Matches one copy of `text` the new text has: false when the old text has none left.
  bool Take(std::string_view text, uint64_t hash) {
    Slot& s = Find(text, hash);
    if (s.taken == s.count) return false;  // also a free slot: the old text lacks it
    ++s.taken;
    return true;
  }

  // Whether this copy of an old paragraph went unmatched: of the copies of a text, the first
  // ones in the old text's order are, as many as the new text did not match.
  bool Unmatched(std::string_view text, uint64_t hash) {
    Slot& s = Find(text, hash);
    if (s.count - s.taken == s.removed) return false;
    ++s.removed;
    return true;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    const char* data = nullptr;
    size_t size = 0;
    uint32_t count = 0;    // copies in the old text; 0: the slot is free
    uint32_t taken = 0;    // matched by the new text
    uint32_t removed = 0;  // reported unmatched
  };

  // The slot holding `text`, or the free slot where it belongs.
  Slot& Find(std::string_view text, uint64_t hash) {
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.count == 0 || (s.hash == hash && std::string_view(s.data, s.size) == text)) {
        return s;
      }
    }
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.count == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].count != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_;
  size_t used_ = 0;
};

}  // namespace

Result<ParagraphDiff> DiffParagraphs(
    std::string_view before, std::string_view where_before, std::string_view after,
    std::string_view where_after, std::span<const std::string_view> names,
    const std::function<void(bool after, std::span<const std::string_view> values)>& each) {
  // About one paragraph per 800 bytes of an index (Packages: ~800, Sources: ~1,500); the table
  // grows when there are more.
  const size_t expected = before.size() / 800;
  ParagraphTable table(expected);
  struct Old {
    std::string_view text;
    size_t line;
    uint64_t hash;
  };
  std::vector<Old> old_order;
  old_order.reserve(expected);
  std::vector<std::string_view> old_values;  // names.size() a paragraph
  old_values.reserve(expected * names.size());
  MV_RETURN_IF_ERROR(ScanParagraphs(before, where_before, names, [&](const ScannedParagraph& p) {
    if (each) each(false, p.values);
    const uint64_t hash = ParagraphTable::Hash(p.text);
    table.Add(p.text, hash);
    old_order.push_back({p.text, p.line, hash});
    old_values.insert(old_values.end(), p.values.begin(), p.values.end());
    return Status::Ok();
  }));
  ParagraphDiff diff;
  MV_RETURN_IF_ERROR(ScanParagraphs(after, where_after, names, [&](const ScannedParagraph& p) {
    if (each) each(true, p.values);
    if (!table.Take(p.text, ParagraphTable::Hash(p.text)))
      diff.added.push_back({p.text, p.line, {p.values.begin(), p.values.end()}});
    return Status::Ok();
  }));
  for (size_t i = 0; i < old_order.size(); ++i) {
    if (!table.Unmatched(old_order[i].text, old_order[i].hash)) continue;
    auto values = old_values.begin() + static_cast<std::ptrdiff_t>(i * names.size());
    diff.removed.push_back({old_order[i].text,
                            old_order[i].line,
                            {values, values + static_cast<std::ptrdiff_t>(names.size())}});
  }
  return diff;
}

}  // namespace mv::apt
