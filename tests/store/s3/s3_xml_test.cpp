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
  EXPECT_FALSE(ParseListObjectsV2(
                   "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
                   "</ListBucketResult>", false).ok());
  EXPECT_FALSE(ParseListObjectsV2(
                   "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", false).ok());
  EXPECT_FALSE(ParseListObjectsV2(
                   "<ListBucketResult><Contents><Key>%4</Key><Size>1</Size></Contents>"
                   "</ListBucketResult>", true).ok());
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
  EXPECT_TRUE(ParseCompleteMultipartUpload(
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

}  // namespace
}  // namespace mv::s3
