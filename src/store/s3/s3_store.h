// S3Store: the ObjectStore on an S3 bucket+prefix (AWS, Ceph RGW, MinIO).
//
// Wire operations: PutObject (If-None-Match: * for if_absent), multipart upload above
// `multipart_threshold` with `part_concurrency` parts in flight (aborted on failure), GetObject
// (ranged; large GetFile as parallel ranged GETs pinned to one ETag; interrupted downloads resume
// where they stopped), HeadObject, ListObjectsV2, DeleteObject, DeleteObjects (falls back to
// single deletes where unsupported), CopyObject / UploadPartCopy, presigned GET URLs.
// Capabilities are probed once at run time (conditional PUT) or learned (batch delete).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/http_client.h"
#include "http/retry_policy.h"
#include "store/object_store.h"
#include "store/s3/credentials.h"
#include "store/s3/s3_client.h"
#include "util/clock.h"

namespace mv::s3 {

struct S3StoreOptions {
  S3Endpoint endpoint;
  std::string prefix;  // key prefix inside the bucket: "" or ending in '/'
  Credentials credentials;
  std::shared_ptr<http::HttpClient> http;  // shared by the process; created when null
  http::RetryPolicy retry;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;
  int part_concurrency = 8;  // parts in flight per multipart transfer
  // Signing time and, unless retry.clock is set, retry sleeps; SystemClock() when null. Not owned;
  // must outlive the store.
  Clock* clock = nullptr;
};

std::shared_ptr<store::ObjectStore> MakeS3Store(S3StoreOptions options);

}  // namespace mv::s3
