// The small S3 response documents: <Error>, CreateMultipartUpload, CompleteMultipartUpload,
// DeleteObjects, CopyObject and UploadPartCopy. Every parser sees every input (the corpus mixes
// the root elements). Properties: errors carry a message and a code the contract allows; what a
// parse returns is consistent (an UploadId or ETag is never empty, DeleteObjects pairs each
// failed key with its error).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "store/s3/s3_xml.h"

using mv::StatusCode;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);

  mv::s3::S3Error error = mv::s3::ParseError(body);
  (void)error;

  auto upload_id = mv::s3::ParseInitiateMultipartUpload(body);
  if (upload_id.ok()) {
    MV_FUZZ_CHECK(!upload_id->empty(), "empty UploadId accepted");
  } else {
    MV_FUZZ_CHECK_ERROR(upload_id.status(), StatusCode::kCorruption);
  }

  MV_FUZZ_CHECK_ERROR(mv::s3::ParseCompleteMultipartUpload(body), StatusCode::kCorruption,
                      StatusCode::kUnavailable);
  MV_FUZZ_CHECK_ERROR(mv::s3::ParseCopyObjectResult(body), StatusCode::kCorruption,
                      StatusCode::kUnavailable);

  auto etag = mv::s3::ParseCopyPartResult(body);
  if (etag.ok()) {
    MV_FUZZ_CHECK(!etag->empty(), "empty ETag accepted");
  } else {
    MV_FUZZ_CHECK_ERROR(etag.status(), StatusCode::kCorruption, StatusCode::kUnavailable);
  }

  auto deleted = mv::s3::ParseDeleteResult(body);
  if (deleted.ok()) {
    MV_FUZZ_CHECK(deleted->errors.size() == deleted->error_keys.size(),
                  "failed keys and errors differ in number");
  } else {
    MV_FUZZ_CHECK_ERROR(deleted.status(), StatusCode::kCorruption);
  }
  return 0;
}
