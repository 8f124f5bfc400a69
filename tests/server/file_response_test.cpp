// Range parsing and content types: the pure rules under ServeStoredFile (the handler tests cover
// the answers themselves).
#include "server/file_response.h"

#include <gtest/gtest.h>

#include "apt/content_type.h"

namespace mv::server {
namespace {

using Kind = RangeRequest::Kind;

TEST(ParseRange, SingleRanges) {
  auto r = ParseRange("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 99u);
  r = ParseRange("bytes=990-2000", 1000);
  EXPECT_EQ(r.last, 999u);  // clamped
  r = ParseRange("bytes=-10", 1000);
  EXPECT_EQ(r.first, 990u);
  r = ParseRange("bytes=-5000", 1000);
  EXPECT_EQ(r.first, 0u);
  r = ParseRange(" bytes = 5- ", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 5u);
  EXPECT_EQ(r.last, 999u);
}

TEST(ParseRange, Refusals) {
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  for (const char* bad : {"bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "bytes=1-2-3", "bytes",
                          "bytes=99999999999999999999-", "bytes=0-1,x"}) {
    EXPECT_EQ(ParseRange(bad, 1000).kind, Kind::kMalformed) << bad;
  }
}

TEST(ParseRange, WholeBody) {
  EXPECT_EQ(ParseRange("", 10).kind, Kind::kWhole);
  EXPECT_EQ(ParseRange("items=0-1", 10).kind, Kind::kWhole);
  EXPECT_EQ(ParseRange("bytes=0-1,3-4", 10).kind, Kind::kWhole);
}

TEST(ContentType, DebianFiles) {
  EXPECT_EQ(apt::ContentTypeFor("hello_1.0_amd64.deb"), "application/vnd.debian.binary-package");
  EXPECT_EQ(apt::ContentTypeFor("InRelease"), "text/plain; charset=utf-8");
  EXPECT_EQ(apt::ContentTypeFor("Packages.xz"), "application/x-xz");
  EXPECT_EQ(apt::ContentTypeFor("Release.gpg"), "application/pgp-signature");
  EXPECT_EQ(apt::ContentTypeFor("3b1f0c..."), "application/octet-stream");
}

}  // namespace
}  // namespace mv::server
