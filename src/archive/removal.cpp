// The removal format of docs/store-format.md ("Removals"); keep the two in step.
#include "archive/removal.h"

#include <algorithm>
#include <array>
#include <boost/json/value.hpp>

#include "archive/json_record.h"
#include "archive/run_record.h"
#include "util/encoding.h"

namespace mv::archive {
namespace {

namespace json = boost::json;

constexpr std::string_view kSuffix = ".json";
constexpr size_t kIdLength = 16 + 1 + 8;  // run id, '-', 8 hex digits

constexpr std::array<std::string_view, 6> kKeys = {"format",     "id",     "removed",
                                                   "removed_by", "reason", "files"};
constexpr std::array<std::string_view, 3> kFileKeys = {"sha256", "sha1", "size"};

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string RemovalId(const RunId& when, const std::vector<RemovedFile>& files,
                      std::string_view reason) {
  std::string material;
  for (const RemovedFile& f : files) material += AsBytes(f.sha256);
  material += reason;
  return when.ToString() + "-" + ToHex(Sha256Of(material)).substr(0, 8);
}

Status ValidateRemovalId(std::string_view id) {
  if (id.size() == kIdLength && id[16] == '-' && RunId::Parse(id.substr(0, 16)).ok() &&
      IsLowerHex(id.substr(17))) {
    return Status::Ok();
  }
  return InvalidArgument("'" + std::string(id) +
                         "' is not a removal id (YYYYMMDDTHHMMSSZ-xxxxxxxx, as `mirrorvault "
                         "removals` lists them)");
}

std::string RemovalKey(std::string_view id) {
  return std::string(kRemovalsPrefix) + std::string(id) + std::string(kSuffix);
}

Result<std::string> ParseRemovalKey(std::string_view key) {
  if (!key.starts_with(kRemovalsPrefix) || !key.ends_with(kSuffix)) {
    return InvalidArgument("'" + std::string(key) + "' is not of the form removals/<id>.json");
  }
  std::string id(
      key.substr(kRemovalsPrefix.size(), key.size() - kRemovalsPrefix.size() - kSuffix.size()));
  MV_RETURN_IF_ERROR(ValidateRemovalId(id));
  return id;
}

std::string EncodeRemoval(const Removal& r) {
  std::string out = "{\"format\":" + std::to_string(kRemovalFormat) + ",\"id\":";
  AppendQuoted(out, r.id, QuoteStyle::kJson);
  out += ",\"removed\":";
  AppendQuoted(out, r.removed, QuoteStyle::kJson);
  out += ",\"removed_by\":";
  AppendQuoted(out, r.removed_by, QuoteStyle::kJson);
  out += ",\"reason\":";
  AppendQuoted(out, r.reason, QuoteStyle::kJson);
  out += ",\"files\":[";
  for (size_t i = 0; i < r.files.size(); ++i) {
    const RemovedFile& f = r.files[i];
    out += i == 0 ? "" : ",";
    out += "{\"sha256\":\"" + ToHex(f.sha256) + "\",\"sha1\":\"" + ToHex(f.sha1) +
           "\",\"size\":" + std::to_string(f.size) + "}";
  }
  out += "]}\n";
  return out;
}

Result<Removal> ParseRemoval(std::string_view text, std::string_view where) {
  auto fail = [&](std::string_view what) {
    return Corruption(std::string(where) + ": removal " + std::string(what));
  };
  json::value doc;
  if (std::optional<std::string> problem = JsonRecordProblem(text, kRemovalFormat, kKeys, doc)) {
    return fail(*problem);
  }
  const json::object& obj = doc.get_object();
  Removal r;
  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"id", &r.id},
                          {"removed", &r.removed},
                          {"removed_by", &r.removed_by},
                          {"reason", &r.reason}}) {
    const json::value& v = obj.at(key);
    if (!v.is_string()) return fail("field \"" + std::string(key) + "\" is not a string");
    *out = std::string(v.get_string());
  }
  if (!ValidateRemovalId(r.id).ok()) return fail("field \"id\" is not a removal id");
  if (!IsRecordTime(r.removed)) {
    return fail("field \"removed\" is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
  }
  if (r.reason.empty()) return fail("field \"reason\" is empty");
  const json::value& files = obj.at("files");
  if (!files.is_array() || files.get_array().empty()) {
    return fail("field \"files\" is not a non-empty array");
  }
  for (const json::value& v : files.get_array()) {
    const std::string at = "file " + std::to_string(r.files.size() + 1);
    if (!v.is_object()) return fail(at + " is not an object");
    const json::object& f = v.get_object();
    if (f.size() != kFileKeys.size()) return fail(at + " does not have exactly sha256, sha1, size");
    for (std::string_view key : kFileKeys) {
      if (!f.contains(key)) return fail(at + " has no \"" + std::string(key) + "\"");
    }
    RemovedFile file;
    const json::value& sha256 = f.at("sha256");
    const json::value& sha1 = f.at("sha1");
    const json::value& size = f.at("size");
    if (!sha256.is_string() || !sha1.is_string()) return fail(at + ": a hash is not a string");
    Result<Sha256> s256 = ParseSha256(std::string_view(sha256.get_string()));
    Result<Sha1> s1 = ParseSha1(std::string_view(sha1.get_string()));
    if (!s256.ok() || !s1.ok()) return fail(at + ": a hash is not lowercase hex of its length");
    if (!size.is_int64() || size.get_int64() < 0) {
      return fail(at + ": \"size\" is not a non-negative integer");
    }
    file.sha256 = *s256;
    file.sha1 = *s1;
    file.size = static_cast<uint64_t>(size.get_int64());
    if (!r.files.empty() && !(r.files.back().sha256 < file.sha256)) {
      return fail(at + " is out of order or repeated (files are sorted by SHA-256)");
    }
    r.files.push_back(file);
  }
  if (EncodeRemoval(r) != text) return fail("is not in canonical form (docs/store-format.md)");
  return r;
}

}  // namespace mv::archive
