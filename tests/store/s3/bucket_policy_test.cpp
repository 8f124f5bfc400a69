// The bucket policy mirrorvault writes for anonymous reads: a statement per store prefix, merged
// into whatever the bucket already has.
#include "store/s3/bucket_policy.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace mv::s3 {
namespace {

namespace json = boost::json;

TEST(BucketPolicy, PublicReadOfOnePrefix) {
  Result<std::string> p = MergeReadPolicy("", "pub", "debian/", {});
  ASSERT_TRUE(p.ok());
  json::value doc = json::parse(*p);
  const json::array& st = doc.at("Statement").as_array();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].at("Principal").as_string(), "*");
  EXPECT_EQ(json::serialize(st[0].at("Action")), R"(["s3:GetObject"])");
  EXPECT_EQ(json::serialize(st[0].at("Resource")), R"(["arn:aws:s3:::pub/debian/*"])");
  EXPECT_FALSE(st[0].as_object().contains("Condition"));
}

TEST(BucketPolicy, RangesAndMerging) {
  // Another tool's statement and one of ours for another prefix are kept; ours for this prefix
  // is replaced, not duplicated.
  std::string other =
      R"({"Version":"2012-10-17","Statement":{"Sid":"Theirs","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::pub/*"}})";
  Result<std::string> a = MergeReadPolicy(other, "pub", "ubuntu/", {});
  ASSERT_TRUE(a.ok());
  Result<std::string> b = MergeReadPolicy(*a, "pub", "debian/", {"127.0.0.1/32"});
  ASSERT_TRUE(b.ok());
  Result<std::string> c = MergeReadPolicy(*b, "pub", "debian/", {"10.0.0.0/8", "::1"});
  ASSERT_TRUE(c.ok());
  json::value doc = json::parse(*c);
  const json::array& st = doc.at("Statement").as_array();
  ASSERT_EQ(st.size(), 3u) << *c;
  EXPECT_EQ(st[0].at("Sid").as_string(), "Theirs");
  EXPECT_EQ(json::serialize(st[2].at("Condition")),
            R"({"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]}})");
  EXPECT_EQ(json::serialize(st[1].at("Resource")), R"(["arn:aws:s3:::pub/ubuntu/*"])");
}

TEST(BucketPolicy, Refusals) {
  EXPECT_EQ(MergeReadPolicy("", "pub", "", {"10.0.0.0/8\"}"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeReadPolicy("", "pub", "", {""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeReadPolicy("not json", "pub", "", {}).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(MergeReadPolicy(R"({"Statement":"x"})", "pub", "", {}).status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace mv::s3
