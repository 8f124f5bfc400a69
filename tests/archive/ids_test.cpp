#include "archive/ids.h"

#include <gtest/gtest.h>

namespace mv::archive {
namespace {

constexpr std::string_view kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Ids, Sha256HexRoundTrip) {
  Sha256 d = Sha256Of("abc");
  EXPECT_EQ(ToHex(d), kAbcSha256);
  auto parsed = ParseSha256(kAbcSha256);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, d);
  EXPECT_EQ(AsBytes(d).size(), 32u);
  auto from_bytes = Sha256FromBytes(AsBytes(d));
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, d);
}

TEST(Ids, Sha1HexRoundTrip) {
  constexpr std::string_view kHex = "a9993e364706816aba3e25717850c26c9cd0d89d";  // SHA-1("abc")
  auto parsed = ParseSha1(kHex);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(ToHex(*parsed), kHex);
  EXPECT_EQ(AsBytes(*parsed).size(), 20u);
  auto from_bytes = Sha1FromBytes(AsBytes(*parsed));
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, *parsed);
}

TEST(Ids, ParseDigestIsStrict) {
  std::string upper(kAbcSha256);
  upper[0] = 'B';
  for (std::string_view bad : std::initializer_list<std::string_view>{
           std::string_view(upper), kAbcSha256.substr(1), std::string_view(""),
           std::string_view("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")}) {
    auto r = ParseSha256(bad, "root");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("root"), std::string::npos);
  }
  EXPECT_FALSE(ParseSha1(kAbcSha256).ok());
  auto short_bytes = Sha256FromBytes("abc", "catalog row");
  ASSERT_FALSE(short_bytes.ok());
  EXPECT_EQ(short_bytes.status().code(), StatusCode::kCorruption);
  EXPECT_NE(short_bytes.status().message().find("catalog row"), std::string::npos);
  EXPECT_FALSE(Sha1FromBytes(std::string(32, 'a')).ok());
}

TEST(Ids, ArchiveNames) {
  for (std::string_view ok : std::initializer_list<std::string_view>{
           "debian", "debian-security", "Ubuntu_22.04", "a", "0ad", "x+y", "a.b",
           std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")}) {
    EXPECT_TRUE(ValidateArchiveName(ok).ok()) << ok;
  }
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "", ".", "..", ".hidden", "-x", "_x", "+x", "a/b", "a b", "caf\xC3\xA9", "a\nb",
           std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")}) {
    Status s = ValidateArchiveName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Ids, Keys) {
  Sha256 d = Sha256Of("abc");
  EXPECT_EQ(BlobKey(d),
            "blobs/ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TreeKey(d),
            "trees/ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  RunId run = *RunId::Parse("20240229T153000Z");
  EXPECT_EQ(RunKey("debian", run), "runs/debian/20240229T153000Z.json");
  EXPECT_EQ(RunsPrefix("debian"), "runs/debian/");
  EXPECT_EQ(kFormatKey, "format");
  EXPECT_EQ(kFormatContents, "mirrorvault-store 1\n");

  auto blob = ParseBlobKey(BlobKey(d));
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  EXPECT_EQ(*blob, d);
  auto tree = ParseTreeKey(TreeKey(d));
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(*tree, d);
  auto parts = ParseRunKey(RunKey("debian-ports", run));
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->archive, "debian-ports");
  EXPECT_EQ(parts->run_id, run);
}

TEST(Ids, KeyParsersAreStrict) {
  const std::string hex(kAbcSha256);
  for (const std::string& bad : {
           "blobs/ba/79/" + hex,        // second prefix does not match
           "blobs/bb/78/" + hex,        // first prefix does not match
           "blobs/ba/78/" + hex + "x",  // too long
           "blobs/ba/78" + hex,         // missing '/'
           "blobs/ba/78/" + hex.substr(1),
           "blobs/BA/78/B" + hex.substr(1),
           "trees/ba/" + hex,  // a tree key is not a blob key
           "xblobs/ba/78/" + hex,
       }) {
    auto r = ParseBlobKey(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  for (const std::string& bad : {
           "trees/bb/" + hex,
           "trees/ba" + hex,
           "trees/ba/" + hex + "/",
           "blobs/ba/78/" + hex,
           "trees/ba/78/" + hex,
           "trees/ba/" + hex.substr(0, 63) + "G",
           std::string("trees/"),
       }) {
    EXPECT_FALSE(ParseTreeKey(bad).ok()) << bad;
  }
  for (std::string_view bad : {
           "runs/debian/20240229T153000Z",
           "runs/debian/20240229T153000Z.json.tmp",
           "runs/debian/2024.json",
           "runs/.x/20240229T153000Z.json",
           "runs/debian/sub/20240229T153000Z.json",
           "runs//20240229T153000Z.json",
           "runs/20240229T153000Z.json",
           "run/debian/20240229T153000Z.json",
           "runs/debian/20240230T153000Z.json",
       }) {
    auto r = ParseRunKey(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace mv::archive
