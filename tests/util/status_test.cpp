#include "util/status.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace mv {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  MV_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, OkAndCodes) {
  EXPECT_TRUE(Status::Ok().ok());
  Status nf = NotFound("key a/b");
  EXPECT_FALSE(nf.ok());
  EXPECT_TRUE(nf.IsNotFound());
  EXPECT_EQ(nf.ToString(), "not found: key a/b");
  EXPECT_FALSE(nf.retryable());
  EXPECT_TRUE(Unavailable("x").retryable());
}

TEST(StatusTest, ToStringSpeaksToTheReader) {
  EXPECT_EQ(InvalidArgument("--wait: bad duration \"x\"").ToString(), "--wait: bad duration \"x\"");
  EXPECT_EQ(NotFound("archive 'demoo' not found").ToString(), "archive 'demoo' not found");
  EXPECT_EQ(PermissionDenied("GET s3://b/k").ToString(), "permission denied: GET s3://b/k");
  EXPECT_EQ(Corruption("blob x").ToString(), "corrupt data: blob x");
  EXPECT_EQ(Internal("").ToString(), "internal error");
  EXPECT_EQ(InvalidArgument("").ToString(), "InvalidArgument");
  for (const Status& s :
       {NotFound("a"), AlreadyExists("a"), PreconditionFailed("a"), PermissionDenied("a"),
        Unavailable("a"), Corruption("a"), Internal("a")}) {
    EXPECT_EQ(s.ToString().find(StatusCodeName(s.code())), std::string::npos) << s.ToString();
  }
}

TEST(StatusTest, ContextKeepsCodeAndRetryable) {
  Status s = Unavailable("connection reset").WithContext("PUT s3://b/k");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(s.message(), "PUT s3://b/k: connection reset");
}

TEST(StatusTest, ErrnoMapping) {
  EXPECT_TRUE(ErrnoStatus(ENOENT, "/x").IsNotFound());
  EXPECT_TRUE(ErrnoStatus(EEXIST, "/x").IsAlreadyExists());
  EXPECT_EQ(ErrnoStatus(EACCES, "/x").code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(ErrnoStatus(ENOSPC, "/x").retryable());
  EXPECT_NE(ErrnoStatus(ENOENT, "/some/path").message().find("/some/path"), std::string::npos);
}

TEST(StatusTest, RetryAfterTravelsWithContext) {
  EXPECT_EQ(Unavailable("x").retry_after(), std::chrono::milliseconds(0));
  Status st = Unavailable("GET /a: HTTP 429").WithRetryAfter(std::chrono::seconds(3));
  Status wrapped = st.WithContext("mirror debian").WithRetryable(true);
  EXPECT_EQ(wrapped.retry_after(), std::chrono::milliseconds(3000));
  EXPECT_EQ(wrapped.message(), "mirror debian: GET /a: HTTP 429");
  EXPECT_TRUE(Status::Ok().WithRetryAfter(std::chrono::seconds(1)).ok());
}

TEST(ResultTest, PropagatesThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd: 3");
}

}  // namespace
}  // namespace mv
