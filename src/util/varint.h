// Unsigned LEB128 varints, the compact integers of mirrorvault's binary encodings (tree nodes,
// archive/tree.h; the stat cache's folder listings, importer/folder_stats.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mv {

// Appends `v` in its shortest form (1 to 10 bytes).
void PutUvarint(std::string& out, uint64_t v);

enum class VarintError { kNone, kTruncated, kOverflow, kNotShortest };

// Reads one varint at bytes[pos], advancing `pos` past it. A varint that runs past the end, does
// not fit 64 bits, or is longer than its shortest form is refused (`pos` then is unspecified).
VarintError ReadUvarint(std::string_view bytes, size_t& pos, uint64_t& out);

}  // namespace mv
