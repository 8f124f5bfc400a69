#include "util/decompress.h"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <climits>

namespace mv {
namespace {

constexpr size_t kChunk = 1 << 20;

std::string TooLarge(std::string_view where, size_t max_output) {
  return std::string(where) + ": decompresses to more than " + std::to_string(max_output) +
         " bytes";
}

// Grows `out` by up to one chunk (bounded by max_output + 1, so that passing the bound is seen)
// and returns the room made.
size_t Grow(std::string& out, size_t used, size_t max_output) {
  size_t want = std::min(kChunk, max_output + 1 - used);
  out.resize(used + want);
  return want;
}

Result<std::string> Xz(std::string_view data, std::string_view where, size_t max_output) {
  lzma_stream s = LZMA_STREAM_INIT;
  // LZMA_CONCATENATED: several .xz streams one after another, as `xz -d` accepts.
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
    return Internal(std::string(where) + ": cannot start the xz decoder");
  }
  std::string out;
  size_t used = 0;
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  lzma_action action = LZMA_RUN;
  for (;;) {
    if (s.avail_in == 0) action = LZMA_FINISH;
    size_t room = Grow(out, used, max_output);
    if (room == 0) {
      lzma_end(&s);
      return InvalidArgument(TooLarge(where, max_output));
    }
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = room;
    lzma_ret r = lzma_code(&s, action);
    used += room - s.avail_out;
    if (used > max_output) {
      lzma_end(&s);
      return InvalidArgument(TooLarge(where, max_output));
    }
    if (r == LZMA_STREAM_END) break;
    if (r != LZMA_OK) {
      lzma_end(&s);
      const char* why = r == LZMA_FORMAT_ERROR ? "not in the xz format"
                        : r == LZMA_DATA_ERROR ? "corrupt xz data"
                        : r == LZMA_BUF_ERROR  ? "truncated xz data"
                        : r == LZMA_MEM_ERROR  ? "out of memory"
                                               : "xz decoding failed";
      return Corruption(std::string(where) + ": " + why);
    }
  }
  lzma_end(&s);
  out.resize(used);
  return out;
}

Result<std::string> Gzip(std::string_view data, std::string_view where, size_t max_output) {
  std::string out;
  size_t used = 0;
  size_t offset = 0;
  bool first = true;
  // One gzip member after another until the input ends (gzip -d does the same).
  while (first || offset < data.size()) {
    first = false;
    z_stream s{};
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
      return Internal(std::string(where) + ": cannot start the gzip decoder");
    }
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
    s.avail_in = static_cast<uInt>(std::min<size_t>(data.size() - offset, UINT_MAX));
    int r = Z_OK;
    while (r != Z_STREAM_END) {
      size_t room = Grow(out, used, max_output);
      if (room == 0) {
        inflateEnd(&s);
        return InvalidArgument(TooLarge(where, max_output));
      }
      room = std::min<size_t>(room, UINT_MAX);
      s.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      s.avail_out = static_cast<uInt>(room);
      r = inflate(&s, Z_NO_FLUSH);
      used += room - s.avail_out;
      if (used > max_output) {
        inflateEnd(&s);
        return InvalidArgument(TooLarge(where, max_output));
      }
      if (r == Z_BUF_ERROR && s.avail_in == 0) {
        inflateEnd(&s);
        return Corruption(std::string(where) + ": truncated gzip data");
      }
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
        std::string why = s.msg != nullptr ? s.msg : "gzip decoding failed";
        inflateEnd(&s);
        return Corruption(std::string(where) + ": " + why);
      }
    }
    offset = data.size() - s.avail_in;  // inputs beyond 4 GiB are not indexes
    inflateEnd(&s);
  }
  out.resize(used);
  return out;
}

Result<std::string> Bzip2(std::string_view data, std::string_view where, size_t max_output) {
  std::string out;
  size_t used = 0;
  size_t offset = 0;
  bool first = true;
  while (first || offset < data.size()) {
    first = false;
    bz_stream s{};
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
      return Internal(std::string(where) + ": cannot start the bzip2 decoder");
    }
    s.next_in = const_cast<char*>(data.data() + offset);
    s.avail_in = static_cast<unsigned>(std::min<size_t>(data.size() - offset, UINT_MAX));
    int r = BZ_OK;
    while (r != BZ_STREAM_END) {
      size_t room = std::min<size_t>(Grow(out, used, max_output), UINT_MAX);
      if (room == 0) {
        BZ2_bzDecompressEnd(&s);
        return InvalidArgument(TooLarge(where, max_output));
      }
      s.next_out = out.data() + used;
      s.avail_out = static_cast<unsigned>(room);
      r = BZ2_bzDecompress(&s);
      used += room - s.avail_out;
      if (used > max_output) {
        BZ2_bzDecompressEnd(&s);
        return InvalidArgument(TooLarge(where, max_output));
      }
      if (r == BZ_OK && s.avail_in == 0 && s.avail_out != 0) {
        BZ2_bzDecompressEnd(&s);
        return Corruption(std::string(where) + ": truncated bzip2 data");
      }
      if (r != BZ_OK && r != BZ_STREAM_END) {
        BZ2_bzDecompressEnd(&s);
        return Corruption(std::string(where) + ": corrupt bzip2 data (error " +
                          std::to_string(r) + ")");
      }
    }
    offset = data.size() - s.avail_in;
    BZ2_bzDecompressEnd(&s);
  }
  out.resize(used);
  return out;
}

}  // namespace

Compression CompressionFromName(std::string_view name) {
  if (name.ends_with(".xz")) return Compression::kXz;
  if (name.ends_with(".gz")) return Compression::kGzip;
  if (name.ends_with(".bz2")) return Compression::kBzip2;
  return Compression::kNone;
}

std::string_view StripCompressionExtension(std::string_view name) {
  switch (CompressionFromName(name)) {
    case Compression::kXz: return name.substr(0, name.size() - 3);
    case Compression::kGzip: return name.substr(0, name.size() - 3);
    case Compression::kBzip2: return name.substr(0, name.size() - 4);
    case Compression::kNone: break;
  }
  return name;
}

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone: return "none";
    case Compression::kXz: return "xz";
    case Compression::kGzip: return "gzip";
    case Compression::kBzip2: return "bzip2";
  }
  return "?";
}

Result<std::string> Decompress(std::string_view data, Compression compression,
                               std::string_view where, size_t max_output) {
  switch (compression) {
    case Compression::kNone:
      if (data.size() > max_output) return InvalidArgument(TooLarge(where, max_output));
      return std::string(data);
    case Compression::kXz: return Xz(data, where, max_output);
    case Compression::kGzip: return Gzip(data, where, max_output);
    case Compression::kBzip2: return Bzip2(data, where, max_output);
  }
  return Internal("unknown compression");
}

}  // namespace mv
