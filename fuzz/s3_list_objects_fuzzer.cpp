// ParseListObjectsV2 in both modes (plain keys and EncodingType=url). Property: what one parse
// returns, written back as S3 would send it with EncodingType=url (keys and prefixes
// percent-encoded, other text XML-escaped), parses to the same listing.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "store/s3/s3_xml.h"
#include "util/encoding.h"
#include "util/uri.h"

namespace {

std::string IsoTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return std::string(buf, n);
}

// XmlEscape, and spaces as character references: pugixml drops text nodes of only whitespace.
std::string Text(std::string_view s) {
  std::string out;
  for (char c : mv::XmlEscape(s)) {
    if (c == ' ') {
      out += "&#32;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Key(std::string_view s) { return mv::PercentEncode(s, "/"); }

std::string Rebuild(const mv::s3::ListResult& r) {
  std::string xml = "<ListBucketResult><IsTruncated>";
  xml += r.truncated ? "true" : "false";
  xml += "</IsTruncated><NextContinuationToken>" + Text(r.next_continuation_token) +
         "</NextContinuationToken>";
  for (const auto& o : r.objects) {
    xml += "<Contents><Key>" + Key(o.key) + "</Key><LastModified>" + IsoTime(o.last_modified) +
           "</LastModified><ETag>&quot;" + Text(o.etag) + "&quot;</ETag><Size>" +
           std::to_string(o.size) + "</Size></Contents>";
  }
  for (const auto& p : r.common_prefixes) {
    xml += "<CommonPrefixes><Prefix>" + Key(p) + "</Prefix></CommonPrefixes>";
  }
  return xml + "</ListBucketResult>";
}

// XML text cannot carry a NUL (only keys can, percent-encoded).
bool HasNul(const mv::s3::ListResult& r) {
  auto nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  if (nul(r.next_continuation_token)) return true;
  for (const auto& o : r.objects) {
    if (nul(o.etag)) return true;
  }
  return false;
}

void Check(std::string_view body, bool url_encoded) {
  auto r = mv::s3::ParseListObjectsV2(body, url_encoded);
  if (!r.ok()) {
    MV_FUZZ_CHECK_ERROR(r.status(), mv::StatusCode::kCorruption);
    return;
  }
  MV_FUZZ_CHECK(!r->truncated || !r->next_continuation_token.empty(), "truncated without token");
  if (HasNul(*r)) return;
  std::string again_xml = Rebuild(*r);
  auto again = mv::s3::ParseListObjectsV2(again_xml, /*url_encoded=*/true);
  MV_FUZZ_CHECK(again.ok(), again.status().ToString() + " for " + mv::fuzz::Printable(again_xml));
  MV_FUZZ_CHECK(again->truncated == r->truncated, again_xml);
  MV_FUZZ_CHECK(again->next_continuation_token == r->next_continuation_token,
                mv::fuzz::Printable(again_xml));
  MV_FUZZ_CHECK(again->common_prefixes == r->common_prefixes, mv::fuzz::Printable(again_xml));
  MV_FUZZ_CHECK(again->objects.size() == r->objects.size(), again_xml);
  for (size_t i = 0; i < r->objects.size(); ++i) {
    const auto& a = r->objects[i];
    const auto& b = again->objects[i];
    MV_FUZZ_CHECK(a.key == b.key, mv::fuzz::Printable(a.key) + " vs " + mv::fuzz::Printable(b.key));
    MV_FUZZ_CHECK(a.size == b.size, again_xml);
    MV_FUZZ_CHECK(a.etag == b.etag,
                  mv::fuzz::Printable(a.etag) + " vs " + mv::fuzz::Printable(b.etag));
    MV_FUZZ_CHECK(a.last_modified == b.last_modified, IsoTime(a.last_modified));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Check(body, /*url_encoded=*/false);
  Check(body, /*url_encoded=*/true);
  return 0;
}
