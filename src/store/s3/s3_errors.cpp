#include "store/s3/s3_errors.h"

#include <string>

#include "http/http_client.h"

namespace mv::s3 {

Status StatusFromS3(int http_status, const S3Error& error, std::string_view what) {
  std::string detail;
  if (!error.code.empty()) {
    detail = error.code;
    if (!error.message.empty()) detail += " (" + error.message + ")";
  }
  std::string message = std::string(what) + ": HTTP " + std::to_string(http_status);
  if (!detail.empty()) message += " " + detail;
  const std::string& code = error.code;

  if (code == "NoSuchBucket") {
    return NotFound(message + "; the bucket does not exist: create it or fix the store URL");
  }
  if (code == "NoSuchKey" || code == "NoSuchUpload") return NotFound(message);
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied" ||
      code == "ExpiredToken" || code == "InvalidToken" || code == "RequestTimeTooSkewed") {
    return PermissionDenied(message +
                            "; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), "
                            "the region and the clock");
  }
  if (code.empty() && http_status == 403) {
    return PermissionDenied(message + "; check the credentials and the bucket's policy");
  }
  if (code == "XAmzContentSHA256Mismatch" || code == "BadDigest") return Corruption(message);
  if (code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" ||
      code == "RequestTimeout" || code == "OperationAborted" || code == "Throttling" ||
      code == "ConditionalRequestConflict") {
    return Unavailable(message);
  }
  if (code == "PreconditionFailed") return PreconditionFailed(message);
  if (code == "NotImplemented" || http_status == 501) {
    return InvalidArgument(message + "; this server does not implement the operation");
  }
  if (code == "InvalidRange") return InvalidArgument(message);
  if (code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists") {
    return AlreadyExists(message);
  }
  return http::StatusFromHttp(http_status, what, detail);
}

Status PinnedReadFailure(std::string_view url, const Status& status) {
  if (status.IsPreconditionFailed()) {
    return Unavailable("GET " + std::string(url) + ": the object changed while it was being read")
        .WithRetryable(false);
  }
  return status;
}

}  // namespace mv::s3
