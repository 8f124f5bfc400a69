// Compressing whole buffers into the variants apt reads (Packages.xz, Packages.gz), with liblzma
// and zlib: the counterpart of util/decompress.h for indexes mirrorvault writes itself.
// Deterministic: the same input gives the same bytes (no time or name in the gzip header), so
// that a derived index's hash depends on its content only.
#pragma once

#include <string>
#include <string_view>

#include "util/decompress.h"
#include "util/status.h"

namespace mv {

// `data` compressed as `compression` (kXz, kGzip; kNone returns it as is). Internal when the
// library fails (out of memory); InvalidArgument for kBzip2, which is not written.
Result<std::string> Compress(std::string_view data, Compression compression);

}  // namespace mv
