// The line breaks of a text, found 16 bytes at a time (SSE2 where the target has it) rather than
// with one memchr call a line: for scanning indexes of a million short lines (a Packages file's
// lines are ~40 bytes, where memchr's own setup is a large part of the work).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mv {

class LineFinder {
 public:
  explicit LineFinder(std::string_view text) : text_(text) {}

  // The position of the next '\n' after the last one returned, or text.size() when there is none.
  size_t Next() {
    while (mask_ == 0) {
      if (next_block_ >= text_.size()) return text_.size();
      block_ = next_block_;
      mask_ = Mask(block_);
      next_block_ += kBlock;
    }
    const size_t pos = block_ + static_cast<size_t>(__builtin_ctz(mask_));
    mask_ &= mask_ - 1;
    return pos;
  }

 private:
  static constexpr size_t kBlock = 32;

  // Bit i set: text_[at + i] is '\n'.
  uint32_t Mask(size_t at) const {
    const char* p = text_.data() + at;
    if (text_.size() - at < kBlock) {
      uint32_t m = 0;
      for (size_t i = 0; i < text_.size() - at; ++i) m |= static_cast<uint32_t>(p[i] == '\n') << i;
      return m;
    }
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, nl))) |
           (static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, nl))) << 16);
#else
    uint32_t m = 0;
    for (size_t i = 0; i < kBlock; ++i) m |= static_cast<uint32_t>(p[i] == '\n') << i;
    return m;
#endif
  }

  std::string_view text_;
  size_t block_ = 0;       // where the block of mask_ starts
  size_t next_block_ = 0;  // where the next block starts
  uint32_t mask_ = 0;      // the line breaks of the current block not yet returned
};

}  // namespace mv
