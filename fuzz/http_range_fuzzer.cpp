// The server's Range header parser and the answer built on it, over arbitrary headers and file
// sizes. Properties: nothing crashes; a partial range lies inside the file and is what the 206
// answer streams, with a Content-Range that says so; anything else is a 200 of the whole file or
// a 416 that names the size.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.h"
#include "server/file_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the file size (0..65535), the rest is the header.
  uint64_t file_size = (uint64_t{data[0]} << 8) | data[1];
  std::string header(reinterpret_cast<const char*>(data + 2), size - 2);
  using Kind = mv::server::RangeRequest::Kind;
  mv::server::RangeRequest r = mv::server::ParseRange(header, file_size);
  if (r.kind == Kind::kPartial) {
    MV_FUZZ_CHECK(r.first <= r.last && r.last < file_size, header);
  }
  mv::httpd::Request request;
  request.method = "GET";
  request.range = header;
  mv::server::StoredFile file{.blob_key = "blobs/x", .sha256_hex = "ab", .size = file_size};
  mv::httpd::Response answer = mv::server::ServeStoredFile(request, file);
  switch (r.kind) {
    case Kind::kWhole:
      MV_FUZZ_CHECK(answer.status == 200 && answer.blob && answer.blob->length == file_size,
                    header);
      break;
    case Kind::kPartial:
      MV_FUZZ_CHECK(answer.status == 206 && answer.blob && answer.blob->offset == r.first &&
                        answer.blob->length == r.last - r.first + 1,
                    header);
      MV_FUZZ_CHECK(*answer.Find("Content-Range") == "bytes " + std::to_string(r.first) + "-" +
                                                         std::to_string(r.last) + "/" +
                                                         std::to_string(file_size),
                    header);
      break;
    case Kind::kUnsatisfiable:
    case Kind::kMalformed:
      MV_FUZZ_CHECK(answer.status == 416 && !answer.blob, header);
      MV_FUZZ_CHECK(*answer.Find("Content-Range") == "bytes */" + std::to_string(file_size),
                    header);
      break;
  }
  return 0;
}
