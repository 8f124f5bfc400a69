#include "server/file_response.h"

#include <charconv>

#include "http/http_date.h"
#include "util/strings.h"

namespace mv::server {
namespace {

bool ParseNumber(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Whether an If-None-Match list names `etag` (weak comparison, as RFC 9110 asks for it).
bool EtagListMatches(std::string_view list, std::string_view etag) {
  if (Trim(list) == "*") return true;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view item =
        Trim(list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos));
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t size) {
  RangeRequest out;
  header = Trim(header);
  if (header.empty()) return out;
  size_t eq = header.find('=');
  if (eq == std::string_view::npos) return {.kind = RangeRequest::Kind::kMalformed};
  std::string_view unit = Trim(header.substr(0, eq));
  if (unit != "bytes") return out;  // an unknown unit is ignored
  std::string_view spec = Trim(header.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) {
    // Several ranges: every one must be well-formed, then the whole body is sent.
    size_t pos = 0;
    while (pos <= spec.size()) {
      size_t comma = spec.find(',', pos);
      std::string_view one = spec.substr(pos, comma == spec.npos ? spec.npos : comma - pos);
      RangeRequest r = ParseRange("bytes=" + std::string(one), size);
      if (r.kind == RangeRequest::Kind::kMalformed) return r;
      if (comma == spec.npos) break;
      pos = comma + 1;
    }
    return out;
  }
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return {.kind = RangeRequest::Kind::kMalformed};
  std::string_view a = Trim(spec.substr(0, dash)), b = Trim(spec.substr(dash + 1));
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // a suffix: the last N bytes
    if (!ParseNumber(b, &last)) return {.kind = RangeRequest::Kind::kMalformed};
    if (last == 0 || size == 0) return {.kind = RangeRequest::Kind::kUnsatisfiable};
    uint64_t n = std::min(last, size);
    return {.kind = RangeRequest::Kind::kPartial, .first = size - n, .last = size - 1};
  }
  if (!ParseNumber(a, &first)) return {.kind = RangeRequest::Kind::kMalformed};
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!ParseNumber(b, &last) || last < first) {
    return {.kind = RangeRequest::Kind::kMalformed};
  }
  if (first >= size) return {.kind = RangeRequest::Kind::kUnsatisfiable};
  return {.kind = RangeRequest::Kind::kPartial, .first = first, .last = std::min(last, size - 1)};
}

httpd::Response ServeStoredFile(const httpd::Request& request, const StoredFile& file) {
  const std::string etag = "\"" + file.sha256_hex + "\"";
  const std::string last_modified = http::FormatHttpDate(file.last_modified);
  httpd::Response r;
  r.Set("ETag", etag);
  r.Set("Last-Modified", last_modified);
  if (!file.cache_control.empty()) r.Set("Cache-Control", file.cache_control);
  r.Set("Accept-Ranges", "bytes");

  // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
  bool not_modified = false;
  if (!request.if_none_match.empty()) {
    not_modified = EtagListMatches(request.if_none_match, etag);
  } else if (!request.if_modified_since.empty()) {
    auto since = http::ParseHttpDate(request.if_modified_since);
    not_modified =
        since.ok() && std::chrono::floor<std::chrono::seconds>(file.last_modified) <= *since;
  }
  if (not_modified) {
    r.status = 304;
    return r;
  }
  r.Set("Content-Type", file.content_type);

  RangeRequest range = ParseRange(request.range, file.size);
  if (range.kind != RangeRequest::Kind::kWhole && !request.if_range.empty()) {
    // If-Range: the range applies only while the validator still names this file.
    std::string_view v = Trim(request.if_range);
    bool same = v == etag;
    if (!same && !v.starts_with("\"") && !v.starts_with("W/")) {
      auto date = http::ParseHttpDate(v);
      same = date.ok() && *date == std::chrono::floor<std::chrono::seconds>(file.last_modified);
    }
    if (!same) range = {};
  }
  switch (range.kind) {
    case RangeRequest::Kind::kWhole:
      r.status = 200;
      r.blob = httpd::BlobBody{file.blob_key, 0, file.size, file.size};
      return r;
    case RangeRequest::Kind::kPartial:
      r.status = 206;
      r.Set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                 std::to_string(range.last) + "/" + std::to_string(file.size));
      r.blob = httpd::BlobBody{file.blob_key, range.first, range.last - range.first + 1, file.size};
      return r;
    case RangeRequest::Kind::kUnsatisfiable:
    case RangeRequest::Kind::kMalformed:
      break;
  }
  httpd::Response bad =
      httpd::TextResponse(416, range.kind == RangeRequest::Kind::kMalformed
                                   ? "malformed Range header: " + request.range.substr(0, 100)
                                   : "the range starts past the end of the file (" +
                                         std::to_string(file.size) + " bytes)");
  bad.Set("Content-Range", "bytes */" + std::to_string(file.size));
  bad.Set("Accept-Ranges", "bytes");
  return bad;
}

}  // namespace mv::server
