#include "store/s3/s3_xml.h"

#include <gtest/gtest.h>

namespace mv::s3 {
namespace {

TEST(S3XmlTest, ParsesListObjectsV2WithUrlEncodedKeys) {
  const char* body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>p%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>
  <Contents><Key>p/a+b%2Bc%C3%BC</Key><LastModified>2026-11-21T10:20:30.000Z</LastModified>
    <ETag>&quot;0123abcd&quot;</ETag><Size>42</Size></Contents>
  <CommonPrefixes><Prefix>p/dir%20x/</Prefix></CommonPrefixes>
</ListBucketResult>)";
  auto r = ParseListObjectsV2(body, /*url_encoded=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->objects.size(), 1u);
  EXPECT_EQ(r->objects[0].key, "p/a b+c\xc3\xbc");
  EXPECT_EQ(r->objects[0].size, 42u);
  EXPECT_EQ(r->objects[0].etag, "0123abcd");
  EXPECT_EQ(std::chrono::system_clock::to_time_t(r->objects[0].last_modified), 1795256430);
  ASSERT_EQ(r->common_prefixes.size(), 1u);
  EXPECT_EQ(r->common_prefixes[0], "p/dir x/");
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->next_continuation_token, "tok+/=");
}

TEST(S3XmlTest, RejectsMalformedListings) {
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><Contents>", false).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ParseListObjectsV2("<Other/>", false).status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(
      ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
                         "</ListBucketResult>",
                         false)
          .ok());
  EXPECT_FALSE(ParseListObjectsV2(
                   "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", false)
                   .ok());
  EXPECT_FALSE(
      ParseListObjectsV2("<ListBucketResult><Contents><Key>%4</Key><Size>1</Size></Contents>"
                         "</ListBucketResult>",
                         true)
          .ok());
}

TEST(S3XmlTest, ParsesErrors) {
  S3Error e = ParseError(
      "<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r1</RequestId></Error>");
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "gone");
  EXPECT_EQ(e.request_id, "r1");
  EXPECT_EQ(ParseError("not xml at all").code, "");
}

TEST(S3XmlTest, CompleteMultipartMayFailWith200) {
  EXPECT_TRUE(
      ParseCompleteMultipartUpload(
          "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>")
          .ok());
  Status st = ParseCompleteMultipartUpload("<Error><Code>InternalError</Code></Error>");
  EXPECT_TRUE(st.retryable());
}

TEST(S3XmlTest, BuildsEscapedDocuments) {
  std::vector<std::string> keys = {"a&b", "<c>"};
  EXPECT_EQ(BuildDelete(keys, true),
            "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object>"
            "<Object><Key>&lt;c&gt;</Key></Object></Delete>");
  std::vector<CompletedPart> parts = {{1, "\"e1\""}, {2, "e2"}};
  EXPECT_EQ(BuildCompleteMultipartUpload(parts),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3XmlTest, DeleteResultReportsFailedKeys) {
  auto r = ParseDeleteResult(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deleted, std::vector<std::string>{"a"});
  ASSERT_EQ(r->error_keys.size(), 1u);
  EXPECT_EQ(r->error_keys[0], "b");
  EXPECT_EQ(r->errors[0].code, "AccessDenied");
}

TEST(S3XmlTest, ParsesIsoTimes) {
  auto seconds = [](std::string_view text) {
    auto t = ParseIsoTime(text);
    EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    return t.ok() ? std::chrono::system_clock::to_time_t(*t) : -1;
  };
  EXPECT_EQ(seconds("2009-10-12T17:50:30.000Z"), 1255369830);
  EXPECT_EQ(seconds("2009-10-12T17:50:30Z"), 1255369830);
  EXPECT_EQ(seconds("2009-10-12T17:50:30.123456Z"), 1255369830);
  EXPECT_EQ(seconds("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(seconds("2024-02-29T23:59:59.999Z"), 1709251199);
  EXPECT_EQ(seconds("2261-12-31T23:59:59Z"), 9214646399);
}

// Found by fuzz/s3_iso_time_fuzzer: a year past 2262 overflowed system_clock's nanoseconds
// (undefined behaviour), and impossible dates were silently moved (13th month, Feb 30, 25:00).
TEST(S3XmlTest, RejectsIsoTimesOutOfRangeOrMalformed) {
  for (const char* text :
       {"5283-01-01T00:00:00Z", "9999-12-31T23:59:59.000Z", "1000-01-01T00:00:00Z",
        "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-32T00:00:00Z",
        "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+01:00",
        " 2024-01-01T00:00:00Z", "+024-01-01T00:00:00Z", "2024-1-01T00:00:00.00Z", ""}) {
    auto t = ParseIsoTime(text);
    EXPECT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace mv::s3
