// The one mapping from an S3 answer (HTTP status + XML error code) to a Status.
#pragma once

#include <string_view>

#include "store/s3/s3_xml.h"
#include "util/status.h"

namespace mv::s3 {

// `what` names the operation, bucket and key ("PUT s3://bucket/key"); never a secret.
// NoSuchKey/NoSuchBucket/404 -> NotFound; PreconditionFailed/412 -> PreconditionFailed;
// AccessDenied/InvalidAccessKeyId/SignatureDoesNotMatch/403 -> PermissionDenied (with a hint);
// SlowDown/InternalError/ServiceUnavailable/RequestTimeout/429/5xx -> retryable Unavailable;
// XAmzContentSHA256Mismatch/BadDigest -> Corruption; InvalidRange/416, NotImplemented/501 ->
// InvalidArgument.
Status StatusFromS3(int http_status, const S3Error& error, std::string_view what);

// The failure of a ranged GET of `url` pinned with If-Match to one ETag: PreconditionFailed (the
// object was replaced between two requests of one read) becomes a non-retryable Unavailable;
// other statuses pass unchanged.
Status PinnedReadFailure(std::string_view url, const Status& status);

}  // namespace mv::s3
