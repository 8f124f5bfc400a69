#include "util/compress.h"

#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <climits>

namespace mv {
namespace {

Result<std::string> Xz(std::string_view data) {
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  size_t used = 0;
  lzma_ret rc = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                        reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                        reinterpret_cast<uint8_t*>(out.data()), &used, out.size());
  if (rc != LZMA_OK)
    return Internal("xz compression failed (liblzma code " + std::to_string(rc) + ")");
  out.resize(used);
  return out;
}

Result<std::string> Gzip(std::string_view data) {
  z_stream z{};
  // 15 + 16: a gzip wrapper with an empty header (no name, time 0).
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("gzip compression failed to start (zlib)");
  }
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  size_t in_left = data.size();
  int rc = Z_OK;
  while (rc == Z_OK) {
    const auto step = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
    z.avail_in = step;
    z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - z.total_out, UINT_MAX));
    rc = deflate(&z, step == in_left ? Z_FINISH : Z_NO_FLUSH);
    in_left -= step - z.avail_in;
  }
  const size_t used = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    return Internal("gzip compression failed (zlib code " + std::to_string(rc) + ")");
  out.resize(used);
  return out;
}

}  // namespace

Result<std::string> Compress(std::string_view data, Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return std::string(data);
    case Compression::kXz:
      return Xz(data);
    case Compression::kGzip:
      return Gzip(data);
    case Compression::kBzip2:
      break;
  }
  return InvalidArgument("bzip2 is read, not written");
}

}  // namespace mv
