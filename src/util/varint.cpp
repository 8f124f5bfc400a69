#include "util/varint.h"

namespace mv {

void PutUvarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

VarintError ReadUvarint(std::string_view bytes, size_t& pos, uint64_t& out) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    if (pos >= bytes.size()) return VarintError::kTruncated;
    const uint8_t b = static_cast<uint8_t>(bytes[pos++]);
    const uint64_t low = b & 0x7f;
    if (shift == 63 && low > 1) return VarintError::kOverflow;
    v |= low << shift;
    if ((b & 0x80) == 0) {
      if (b == 0 && shift > 0) return VarintError::kNotShortest;
      break;
    }
    if (shift == 63) return VarintError::kOverflow;
  }
  out = v;
  return VarintError::kNone;
}

}  // namespace mv
