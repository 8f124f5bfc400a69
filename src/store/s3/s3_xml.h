// The XML documents of the S3 REST API that mirrorvault reads and writes (pugixml). Parsers take
// untrusted bytes and return InvalidArgument/Corruption naming the document, never crash (fuzzed).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace mv::s3 {

struct S3Error {
  std::string code;  // e.g. "NoSuchKey", "SlowDown"; empty when the body was not S3 XML
  std::string message;
  std::string request_id;
};

struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without quotes
  std::chrono::system_clock::time_point last_modified;
};

struct ListResult {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

struct CompletedPart {
  int number = 0;
  std::string etag;  // as returned by UploadPart, quotes included or not
};

struct DeleteResult {
  std::vector<std::string> deleted;
  std::vector<S3Error> errors;  // request_id holds the key of the failed delete
  std::vector<std::string> error_keys;
};

// Parses an <Error> body; a body that is not S3 XML gives an S3Error with an empty code.
S3Error ParseError(std::string_view body);
// ListObjectsV2 (with EncodingType=url: keys and prefixes are percent-decoded here).
Result<ListResult> ParseListObjectsV2(std::string_view body, bool url_encoded);
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);  // the UploadId
// CompleteMultipartUpload may answer 200 with an <Error> body: that comes back as a Status.
Status ParseCompleteMultipartUpload(std::string_view body);
Result<DeleteResult> ParseDeleteResult(std::string_view body);
// CopyObject may answer 200 with an <Error> body.
Status ParseCopyObjectResult(std::string_view body);

// UploadPartCopy: the part's ETag, or the <Error> a 200 may carry.
Result<std::string> ParseCopyPartResult(std::string_view body);

std::string BuildCompleteMultipartUpload(std::span<const CompletedPart> parts);
std::string BuildDelete(std::span<const std::string> keys, bool quiet);

// ISO 8601 as S3 writes it (2009-10-12T17:50:30.000Z, any number of fraction digits or none; the
// fraction is dropped) to a time point. InvalidArgument naming the text for anything else: another
// form, a date or time of day that does not exist, a year outside 1678-2261 (what
// std::chrono::system_clock holds).
Result<std::chrono::system_clock::time_point> ParseIsoTime(std::string_view text);

}  // namespace mv::s3
