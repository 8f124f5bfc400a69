// Decompression of apt's index variants: round trips through each format's own encoder, and the
// refusals (truncated, corrupt, trailing garbage, over the size bound) with the source named.
#include "util/decompress.h"

#include <bzlib.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>

#include <random>
#include <string>

namespace mv {
namespace {

using ::testing::HasSubstr;

std::string XzEncode(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()),
            LZMA_OK);
  out.resize(pos);
  return out;
}

std::string GzipEncode(const std::string& in) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, in.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::string Bzip2Encode(const std::string& in) {
  std::string out(in.size() + in.size() / 100 + 700, '\0');
  unsigned len = static_cast<unsigned>(out.size());
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &len, const_cast<char*>(in.data()),
                                     static_cast<unsigned>(in.size()), 9, 0, 0),
            BZ_OK);
  out.resize(len);
  return out;
}

std::string Sample(size_t n) {
  std::mt19937 rng(42);
  std::string s;
  while (s.size() < n) s += "Package: p" + std::to_string(rng() % 1000) + "\nVersion: 1.0\n\n";
  s.resize(n);
  return s;
}

struct Format {
  Compression compression;
  std::string (*encode)(const std::string&);
};
const Format kFormats[] = {{Compression::kXz, XzEncode},
                           {Compression::kGzip, GzipEncode},
                           {Compression::kBzip2, Bzip2Encode}};

TEST(Decompress, RoundTripsEveryFormat) {
  for (const Format& f : kFormats) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, size_t{3} << 20}) {
      const std::string plain = Sample(n);
      Result<std::string> got = Decompress(f.encode(plain), f.compression, "x", 64 << 20);
      ASSERT_TRUE(got.ok()) << CompressionName(f.compression) << " " << n << ": "
                            << got.status().ToString();
      EXPECT_EQ(*got, plain) << CompressionName(f.compression) << " " << n;
    }
  }
  EXPECT_EQ(*Decompress("plain", Compression::kNone, "x", 10), "plain");
}

TEST(Decompress, ConcatenatedStreamsAreReadToTheEnd) {
  for (const Format& f : kFormats) {
    Result<std::string> got =
        Decompress(f.encode("first\n") + f.encode("second\n"), f.compression, "x", 100);
    ASSERT_TRUE(got.ok()) << CompressionName(f.compression) << ": " << got.status().ToString();
    EXPECT_EQ(*got, "first\nsecond\n");
  }
}

TEST(Decompress, DamageIsCorruptionNamingTheSource) {
  const std::string plain = Sample(100000);
  for (const Format& f : kFormats) {
    const std::string packed = f.encode(plain);
    const std::string where =
        std::string("dists/x/Packages.") + std::string(CompressionName(f.compression));
    for (const std::string& bad : {packed.substr(0, packed.size() / 2),
                                   packed.substr(0, packed.size() - 1), packed + "trailing garbage",
                                   std::string("<!DOCTYPE html><html></html>"), std::string()}) {
      Result<std::string> got = Decompress(bad, f.compression, where, 1 << 20);
      ASSERT_FALSE(got.ok()) << where << " accepted " << bad.size() << " bytes";
      EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
      EXPECT_THAT(got.status().message(), HasSubstr(where));
    }
    std::string flipped = packed;
    flipped[flipped.size() / 2] ^= 0x55;
    EXPECT_FALSE(Decompress(flipped, f.compression, where, 1 << 20).ok()) << where;
  }
}

TEST(Decompress, OutputBeyondTheBoundIsRefused) {
  const std::string zeros(10 << 20, '\0');  // a "bomb": 10 MiB from a few KiB
  for (const Format& f : kFormats) {
    Result<std::string> got = Decompress(f.encode(zeros), f.compression, "bomb", 1 << 20);
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), HasSubstr("bomb: decompresses to more than 1048576 bytes"));
    EXPECT_TRUE(Decompress(f.encode(zeros), f.compression, "ok", 10 << 20).ok());
  }
  EXPECT_EQ(Decompress("12345", Compression::kNone, "p", 4).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Decompress, NamesAndExtensions) {
  EXPECT_EQ(CompressionFromName("main/binary-amd64/Packages.xz"), Compression::kXz);
  EXPECT_EQ(CompressionFromName("Sources.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionFromName("Contents-amd64.bz2"), Compression::kBzip2);
  EXPECT_EQ(CompressionFromName("Packages"), Compression::kNone);
  EXPECT_EQ(CompressionFromName("Packages.zst"), Compression::kNone);
  EXPECT_EQ(StripCompressionExtension("a/Packages.xz"), "a/Packages");
  EXPECT_EQ(StripCompressionExtension("a/Packages.bz2"), "a/Packages");
  EXPECT_EQ(StripCompressionExtension("a/Packages"), "a/Packages");
}

}  // namespace
}  // namespace mv
