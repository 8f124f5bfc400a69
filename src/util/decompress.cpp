#include "util/decompress.h"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>

namespace mv {
namespace {

constexpr size_t kChunk = 1 << 20;

Status TooLarge(std::string_view where, size_t max_output) {
  return InvalidArgument(std::string(where) + ": decompresses to more than " +
                         std::to_string(max_output) + " bytes");
}

// The decoded bytes, grown a chunk at a time up to max_output + 1 bytes, so that passing the
// bound is seen and refused.
class Output {
 public:
  Output(std::string_view where, size_t max_output) : where_(where), max_output_(max_output) {}

  // Room for the next decode step at Next(); InvalidArgument past the bound. `cap` bounds the
  // room to what the decoder's length type holds.
  Result<size_t> Room(size_t cap) {
    size_t want = std::min({kChunk, max_output_ + 1 - used_, cap});
    if (want == 0) return TooLarge();
    out_.resize(used_ + want);
    return want;
  }
  char* Next() { return out_.data() + used_; }
  // Counts what a step wrote (`room` minus what it left).
  Status Wrote(size_t n) {
    used_ += n;
    return used_ > max_output_ ? TooLarge() : Status::Ok();
  }
  std::string Take() && {
    out_.resize(used_);
    return std::move(out_);
  }
  Status Error(std::string_view why) const {
    return Corruption(std::string(where_) + ": " + std::string(why));
  }

 private:
  Status TooLarge() const { return mv::TooLarge(where_, max_output_); }

  std::string_view where_;
  size_t max_output_;
  std::string out_;
  size_t used_ = 0;
};

// Runs `member(offset)` (decoding one member from `offset`, returning the offset after it) until
// the input ends: gzip -d and bzip2 -d decode concatenated members the same way.
template <typename DecodeMember>
Status EachMember(std::string_view data, DecodeMember member) {
  size_t offset = 0;
  do {
    MV_ASSIGN_OR_RETURN(offset, member(offset));
  } while (offset < data.size());
  return Status::Ok();
}

Result<std::string> Xz(std::string_view data, std::string_view where, size_t max_output) {
  Output out(where, max_output);
  lzma_stream s = LZMA_STREAM_INIT;
  // LZMA_CONCATENATED: several .xz streams one after another, as `xz -d` accepts.
  if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
    return Internal(std::string(where) + ": cannot start the xz decoder");
  }
  std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> end(&s, lzma_end);
  s.next_in = reinterpret_cast<const uint8_t*>(data.data());
  s.avail_in = data.size();
  lzma_action action = LZMA_RUN;
  for (;;) {
    if (s.avail_in == 0) action = LZMA_FINISH;
    MV_ASSIGN_OR_RETURN(size_t room, out.Room(SIZE_MAX));
    s.next_out = reinterpret_cast<uint8_t*>(out.Next());
    s.avail_out = room;
    lzma_ret r = lzma_code(&s, action);
    MV_RETURN_IF_ERROR(out.Wrote(room - s.avail_out));
    if (r == LZMA_STREAM_END) break;
    if (r != LZMA_OK) {
      return out.Error(r == LZMA_FORMAT_ERROR ? "not in the xz format"
                       : r == LZMA_DATA_ERROR ? "corrupt xz data"
                       : r == LZMA_BUF_ERROR  ? "truncated xz data"
                       : r == LZMA_MEM_ERROR  ? "out of memory"
                                              : "xz decoding failed");
    }
  }
  return std::move(out).Take();
}

Result<std::string> Gzip(std::string_view data, std::string_view where, size_t max_output) {
  Output out(where, max_output);
  Status decoded = EachMember(data, [&](size_t offset) -> Result<size_t> {
    z_stream s{};
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
      return Internal(std::string(where) + ": cannot start the gzip decoder");
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> end(&s, inflateEnd);
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + offset));
    s.avail_in = static_cast<uInt>(std::min<size_t>(data.size() - offset, UINT_MAX));
    for (int r = Z_OK; r != Z_STREAM_END;) {
      MV_ASSIGN_OR_RETURN(size_t room, out.Room(UINT_MAX));
      s.next_out = reinterpret_cast<Bytef*>(out.Next());
      s.avail_out = static_cast<uInt>(room);
      r = inflate(&s, Z_NO_FLUSH);
      MV_RETURN_IF_ERROR(out.Wrote(room - s.avail_out));
      if (r == Z_BUF_ERROR && s.avail_in == 0) return out.Error("truncated gzip data");
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
        return out.Error(s.msg != nullptr ? s.msg : "gzip decoding failed");
      }
    }
    return data.size() - s.avail_in;  // inputs beyond 4 GiB are not indexes
  });
  if (!decoded.ok()) return decoded;
  return std::move(out).Take();
}

Result<std::string> Bzip2(std::string_view data, std::string_view where, size_t max_output) {
  Output out(where, max_output);
  Status decoded = EachMember(data, [&](size_t offset) -> Result<size_t> {
    bz_stream s{};
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
      return Internal(std::string(where) + ": cannot start the bzip2 decoder");
    }
    std::unique_ptr<bz_stream, int (*)(bz_stream*)> end(&s, BZ2_bzDecompressEnd);
    s.next_in = const_cast<char*>(data.data() + offset);
    s.avail_in = static_cast<unsigned>(std::min<size_t>(data.size() - offset, UINT_MAX));
    for (int r = BZ_OK; r != BZ_STREAM_END;) {
      MV_ASSIGN_OR_RETURN(size_t room, out.Room(UINT_MAX));
      s.next_out = out.Next();
      s.avail_out = static_cast<unsigned>(room);
      r = BZ2_bzDecompress(&s);
      MV_RETURN_IF_ERROR(out.Wrote(room - s.avail_out));
      if (r == BZ_OK && s.avail_in == 0 && s.avail_out != 0) {
        return out.Error("truncated bzip2 data");
      }
      if (r != BZ_OK && r != BZ_STREAM_END) {
        return out.Error("corrupt bzip2 data (error " + std::to_string(r) + ")");
      }
    }
    return data.size() - s.avail_in;
  });
  if (!decoded.ok()) return decoded;
  return std::move(out).Take();
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
    case Compression::kXz:
    case Compression::kGzip:
      return name.substr(0, name.size() - 3);
    case Compression::kBzip2:
      return name.substr(0, name.size() - 4);
    case Compression::kNone:
      break;
  }
  return name;
}

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kXz:
      return "xz";
    case Compression::kGzip:
      return "gzip";
    case Compression::kBzip2:
      return "bzip2";
  }
  return "?";
}

Result<std::string> Decompress(std::string_view data, Compression compression,
                               std::string_view where, size_t max_output) {
  switch (compression) {
    case Compression::kNone:
      if (data.size() > max_output) return TooLarge(where, max_output);
      return std::string(data);
    case Compression::kXz:
      return Xz(data, where, max_output);
    case Compression::kGzip:
      return Gzip(data, where, max_output);
    case Compression::kBzip2:
      return Bzip2(data, where, max_output);
  }
  return Internal("unknown compression");
}

Result<std::string> Decompressed(std::string data, Compression compression, std::string_view where,
                                 size_t max_output) {
  if (compression != Compression::kNone) return Decompress(data, compression, where, max_output);
  if (data.size() > max_output) return Decompress(data, compression, where, max_output);
  return data;
}

}  // namespace mv
