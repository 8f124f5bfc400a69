// Compression of the indexes mirrorvault writes: what Decompress (and so apt's readers) reads
// back, byte for byte, and the same bytes each time.
#include "util/compress.h"

#include <gtest/gtest.h>

#include <string>

namespace mv {
namespace {

std::string Sample(size_t n) {
  std::string s;
  s.reserve(n);
  uint32_t x = 12345;
  while (s.size() < n) {
    x = x * 1103515245u + 12345u;
    s += "Package: p" + std::to_string(x % 997) + "\nVersion: 1." + std::to_string(x % 13) + "\n\n";
  }
  s.resize(n);
  return s;
}

TEST(Compress, RoundTripsThroughDecompress) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{4096}, size_t{3} << 20}) {
    const std::string data = Sample(n);
    for (Compression c : {Compression::kNone, Compression::kXz, Compression::kGzip}) {
      auto packed = Compress(data, c);
      ASSERT_TRUE(packed.ok()) << packed.status().ToString();
      auto back = Decompress(*packed, c, "test", data.size() + 1);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(*back, data) << CompressionName(c) << " " << n;
      if (c != Compression::kNone && n > 4096) {
        EXPECT_LT(packed->size(), data.size() / 2);
      }
    }
  }
}

TEST(Compress, DeterministicGzipWithoutTimeOrName) {
  const std::string data = Sample(10000);
  auto a = Compress(data, Compression::kGzip);
  auto b = Compress(data, Compression::kGzip);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  ASSERT_GE(a->size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>((*a)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*a)[1]), 0x8b);
  EXPECT_EQ(a->substr(4, 4), std::string(4, '\0')) << "MTIME must be 0";
  auto x1 = Compress(data, Compression::kXz);
  auto x2 = Compress(data, Compression::kXz);
  EXPECT_EQ(*x1, *x2);
}

TEST(Compress, Bzip2IsNotWritten) {
  EXPECT_EQ(Compress("x", Compression::kBzip2).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mv
