#include "util/hash.h"

#include <gtest/gtest.h>

#include <random>

#include "util/encoding.h"

namespace mv {
namespace {

// FIPS 180-2 / RFC 1321 test vectors.
TEST(HashTest, KnownVectors) {
  ContentHasher hasher(/*with_md5=*/true);
  hasher.Update("abc");
  Digests d = hasher.Finish();
  EXPECT_EQ(DigestHex(d.sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(DigestHex(d.sha1), "a9993e364706816aba3e25717850c26c9cd0d89d");
  ASSERT_TRUE(d.md5.has_value());
  EXPECT_EQ(DigestHex(*d.md5), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(d.size, 3u);
  // Reset after Finish: the empty input next.
  Digests empty = hasher.Finish();
  EXPECT_EQ(DigestHex(empty.sha256),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestHex(empty.sha1), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(empty.size, 0u);
  EXPECT_EQ(Sha256Hex("abc"), DigestHex(d.sha256));
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");  // the Content-MD5 of an empty body
}

TEST(HashTest, Md5OnlyWhenAsked) {
  ContentHasher hasher;
  hasher.Update("abc");
  EXPECT_FALSE(hasher.Finish().md5.has_value());
}

TEST(HashTest, StreamingInAnyPiecesEqualsOneShot) {
  std::mt19937_64 rng(7);
  std::string data(3'000'017, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  ContentHasher hasher;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t n = std::min<size_t>(rng() % 70'000, data.size() - pos);
    hasher.Update(std::string_view(data).substr(pos, n));
    pos += n;
  }
  Digests streamed = hasher.Finish();
  EXPECT_EQ(DigestHex(streamed.sha256), Sha256Hex(data));
  EXPECT_EQ(streamed.size, data.size());
  auto reader = MakeStringReader(data);
  auto via_stream = HashStream(*reader);
  ASSERT_TRUE(via_stream.ok());
  EXPECT_EQ(via_stream->sha1, streamed.sha1);
  Sha256Hasher sha;
  sha.Update(data.substr(0, 5));
  sha.Update(data.substr(5));
  EXPECT_EQ(sha.FinishHex(), DigestHex(streamed.sha256));
}

TEST(HashTest, HmacSha256Rfc4231Case2) {
  auto mac = HmacSha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(HexEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size())),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(EncodingTest, HexAndBase64) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  // RFC 4648 section 10.
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(EncodingTest, Utf8Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(
      IsValidUtf8("\xc3\xbc \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));  // ü € 😀 U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe9"));                                            // Latin-1
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));                                        // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));                                    // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));                                    // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));                                // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));                                        // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));  // lone continuation byte
}

}  // namespace
}  // namespace mv
