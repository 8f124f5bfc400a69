#include "store/s3/s3_xml.h"

#include <charconv>
#include <pugixml.hpp>

#include "util/encoding.h"

namespace mv::s3 {
namespace {

Result<pugi::xml_document> Load(std::string_view body, std::string_view what) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Corruption("malformed S3 " + std::string(what) + " response at byte " +
                      std::to_string(parsed.offset) + ": " + parsed.description());
  }
  return doc;
}

std::string Text(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().get();
}

std::string StripQuotes(std::string s) {
  // ETags come as "abc" or &quot;abc&quot; (already unescaped by the parser).
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// EncodingType=url encodes keys like a query string: '+' is a space, %XX a byte.
Result<std::string> UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return Corruption("truncated percent escape in listed key");
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0)
        return Corruption("bad percent escape in listed key \"" + std::string(s) + "\"");
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

S3Error ParseError(std::string_view body) {
  S3Error err;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return err;
  pugi::xml_node root = doc.child("Error");
  if (!root) return err;
  err.code = Text(root, "Code");
  err.message = Text(root, "Message");
  err.request_id = Text(root, "RequestId");
  return err;
}

Result<ListResult> ParseListObjectsV2(std::string_view body, bool url_encoded) {
  MV_ASSIGN_OR_RETURN(pugi::xml_document doc, Load(body, "ListObjectsV2"));
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return Corruption("S3 ListObjectsV2 response has no ListBucketResult element");
  ListResult out;
  out.truncated = std::string_view(root.child("IsTruncated").text().get()) == "true";
  out.next_continuation_token = Text(root, "NextContinuationToken");
  for (pugi::xml_node c : root.children("Contents")) {
    ListedObject obj;
    obj.key = Text(c, "Key");
    if (url_encoded) {
      MV_ASSIGN_OR_RETURN(obj.key, UrlDecode(obj.key));
    }
    std::string size = Text(c, "Size");
    auto [p, ec] = std::from_chars(size.data(), size.data() + size.size(), obj.size);
    if (ec != std::errc() || p != size.data() + size.size()) {
      return Corruption("S3 listing has a bad Size \"" + size + "\" for key " + obj.key);
    }
    obj.etag = StripQuotes(Text(c, "ETag"));
    auto when = ParseIsoTime(Text(c, "LastModified"));
    if (when.ok()) obj.last_modified = *when;
    out.objects.push_back(std::move(obj));
  }
  for (pugi::xml_node c : root.children("CommonPrefixes")) {
    std::string prefix = Text(c, "Prefix");
    if (url_encoded) {
      MV_ASSIGN_OR_RETURN(prefix, UrlDecode(prefix));
    }
    out.common_prefixes.push_back(std::move(prefix));
  }
  if (out.truncated && out.next_continuation_token.empty()) {
    return Corruption("S3 listing is truncated but has no NextContinuationToken");
  }
  return out;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  MV_ASSIGN_OR_RETURN(pugi::xml_document doc, Load(body, "CreateMultipartUpload"));
  std::string id = Text(doc.child("InitiateMultipartUploadResult"), "UploadId");
  if (id.empty()) return Corruption("S3 CreateMultipartUpload response has no UploadId");
  return id;
}

Status ParseCompleteMultipartUpload(std::string_view body) {
  MV_ASSIGN_OR_RETURN(pugi::xml_document doc, Load(body, "CompleteMultipartUpload"));
  if (pugi::xml_node err = doc.child("Error")) {
    return Unavailable("CompleteMultipartUpload failed: " + Text(err, "Code") + ": " +
                       Text(err, "Message"));
  }
  if (!doc.child("CompleteMultipartUploadResult")) {
    return Corruption("S3 CompleteMultipartUpload response has no result element");
  }
  return Status::Ok();
}

Status ParseCopyObjectResult(std::string_view body) {
  MV_ASSIGN_OR_RETURN(pugi::xml_document doc, Load(body, "CopyObject"));
  if (pugi::xml_node err = doc.child("Error")) {
    return Unavailable("CopyObject failed: " + Text(err, "Code") + ": " + Text(err, "Message"));
  }
  if (!doc.child("CopyObjectResult")) return Corruption("S3 CopyObject response has no result");
  return Status::Ok();
}

Result<std::string> ParseCopyPartResult(std::string_view body) {
  MV_ASSIGN_OR_RETURN(pugi::xml_document doc, Load(body, "UploadPartCopy"));
  if (pugi::xml_node err = doc.child("Error")) {
    return Unavailable("UploadPartCopy failed: " + Text(err, "Code") + ": " + Text(err, "Message"));
  }
  std::string etag = Text(doc.child("CopyPartResult"), "ETag");
  if (etag.empty()) return Corruption("S3 UploadPartCopy response has no ETag");
  return etag;
}

Result<DeleteResult> ParseDeleteResult(std::string_view body) {
  MV_ASSIGN_OR_RETURN(pugi::xml_document doc, Load(body, "DeleteObjects"));
  pugi::xml_node root = doc.child("DeleteResult");
  if (!root) return Corruption("S3 DeleteObjects response has no DeleteResult element");
  DeleteResult out;
  for (pugi::xml_node d : root.children("Deleted")) out.deleted.push_back(Text(d, "Key"));
  for (pugi::xml_node e : root.children("Error")) {
    out.error_keys.push_back(Text(e, "Key"));
    out.errors.push_back({Text(e, "Code"), Text(e, "Message"), ""});
  }
  return out;
}

std::string BuildCompleteMultipartUpload(std::span<const CompletedPart> parts) {
  std::string xml = "<CompleteMultipartUpload>";
  for (const CompletedPart& p : parts) {
    std::string etag = p.etag;
    if (etag.empty() || etag.front() != '"') etag = "\"" + etag + "\"";
    xml += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>" +
           XmlEscape(etag) + "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  return xml;
}

std::string BuildDelete(std::span<const std::string> keys, bool quiet) {
  std::string xml = "<Delete>";
  if (quiet) xml += "<Quiet>true</Quiet>";
  for (const std::string& key : keys) xml += "<Object><Key>" + XmlEscape(key) + "</Key></Object>";
  xml += "</Delete>";
  return xml;
}

Result<std::chrono::system_clock::time_point> ParseIsoTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z, every field its exact number of digits.
  auto bad = [&](std::string_view why) {
    return InvalidArgument("bad ISO 8601 time \"" + std::string(text) + "\": " + std::string(why) +
                           " (expected YYYY-MM-DDTHH:MM:SS[.fff]Z)");
  };
  constexpr std::string_view kPattern = "DDDD-DD-DDTDD:DD:DD";
  if (text.size() < kPattern.size() + 1) return bad("too short");
  for (size_t i = 0; i < kPattern.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (kPattern[i] == 'D' ? !digit : text[i] != kPattern[i]) return bad("malformed");
  }
  std::string_view rest = text.substr(kPattern.size());
  if (rest.front() == '.') {
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1) return bad("no digits after the decimal point");
    rest.remove_prefix(digits);
  }
  if (rest != "Z") return bad("it must end in Z (UTC)");
  auto number = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  // The years std::chrono::system_clock (nanoseconds in 64 bits) holds whole.
  std::chrono::year_month_day date{std::chrono::year{number(0, 4)},
                                   std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                   std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!date.ok()) return bad("no such date");
  if (date.year() < std::chrono::year{1678} || date.year() > std::chrono::year{2261}) {
    return bad("the year is not in 1678-2261");
  }
  int hour = number(11, 2), min = number(14, 2), sec = number(17, 2);
  if (hour > 23 || min > 59 || sec > 59) return bad("no such time of day");
  return std::chrono::system_clock::time_point{
      std::chrono::sys_days{date} + std::chrono::hours{hour} + std::chrono::minutes{min} +
      std::chrono::seconds{sec}};
}

}  // namespace mv::s3
