// Decompressing whole buffers: the compressed variants of apt's indexes (Packages.xz, Sources.gz,
// Contents-amd64.bz2, ...), with liblzma, zlib and libbz2.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace mv {

enum class Compression { kNone, kXz, kGzip, kBzip2 };

// The compression a file name's extension says (".xz", ".gz", ".bz2"; anything else: kNone).
Compression CompressionFromName(std::string_view name);
// The name without its compression extension ("Packages.xz" -> "Packages").
std::string_view StripCompressionExtension(std::string_view name);
std::string_view CompressionName(Compression compression);

// Decompresses all of `data`. Corruption naming `where` when the data is not a complete stream of
// that format (truncated, corrupt, trailing garbage); InvalidArgument when the output would pass
// `max_output` bytes (a decompression bomb or a file far larger than an index can be).
// Concatenated gzip members and xz streams are read to the end, as gzip and xz do.
Result<std::string> Decompress(std::string_view data, Compression compression,
                               std::string_view where, size_t max_output);
// The same, taking `data`: text that is not compressed is returned as it is, not copied (an
// index of hundreds of megabytes read from the store).
Result<std::string> Decompressed(std::string data, Compression compression, std::string_view where,
                                 size_t max_output);

}  // namespace mv
