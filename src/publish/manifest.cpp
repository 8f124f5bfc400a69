#include "publish/manifest.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "store/object_store.h"
#include "util/run_id.h"

namespace mv::publish {
namespace {

namespace json = boost::json;

// Times are written as run ids are ("20240229T153000Z"): seconds, UTC.
std::string FormatTime(std::chrono::system_clock::time_point t) {
  Result<RunId> id = RunId::FromTimePoint(t);
  return id.ok() ? id->ToString() : "19700101T000000Z";
}

Result<std::chrono::system_clock::time_point> Time(const json::value& v, std::string_view what) {
  if (!v.is_string()) return Corruption(std::string(what) + " is not a time string");
  Result<RunId> id = RunId::Parse(std::string_view(v.as_string()));
  if (!id.ok()) return Corruption(std::string(what) + ": " + id.status().message());
  return std::chrono::system_clock::time_point(id->ToTimePoint());
}

json::object EncodeFiles(const std::map<std::string, ManifestFile>& files, bool with_since) {
  json::object out;
  for (const auto& [path, f] : files) {
    json::object o{{"sha256", archive::ToHex(f.sha256)}, {"size", f.size}};
    if (with_since) o["since"] = FormatTime(f.since);
    out[path] = std::move(o);
  }
  return out;
}

Status DecodeFiles(const json::value& v, bool with_since, std::string_view where,
                   std::map<std::string, ManifestFile>* out) {
  if (!v.is_object()) return Corruption(std::string(where) + " is not an object");
  for (const auto& [key, value] : v.as_object()) {
    std::string path(key);
    const std::string at = std::string(where) + " \"" + path.substr(0, 200) + "\"";
    if (Status valid = store::ValidateKey(path); !valid.ok()) {
      return Corruption(at + ": not a valid key: " + valid.message());
    }
    if (!value.is_object()) return Corruption(at + " is not an object");
    const json::object& o = value.as_object();
    const json::value* sha = o.if_contains("sha256");
    const json::value* size = o.if_contains("size");
    if (sha == nullptr || !sha->is_string()) return Corruption(at + ": no sha256 string");
    if (size == nullptr || !(size->is_uint64() || (size->is_int64() && size->as_int64() >= 0))) {
      return Corruption(at + ": no size");
    }
    ManifestFile f;
    Result<archive::Sha256> digest = archive::ParseSha256(std::string_view(sha->as_string()), at);
    if (!digest.ok()) return Corruption(digest.status().message());
    f.sha256 = *digest;
    f.size = size->is_uint64() ? size->as_uint64() : static_cast<uint64_t>(size->as_int64());
    if (with_since) {
      const json::value* since = o.if_contains("since");
      if (since == nullptr) return Corruption(at + ": no since");
      Result<std::chrono::system_clock::time_point> t = Time(*since, at + " since");
      if (!t.ok()) return Corruption(t.status().message());
      f.since = *t;
    }
    (*out)[path] = f;
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeManifest(const Manifest& m) {
  json::object doc{{"format", 2},
                   {"archive", m.archive},
                   {"run", m.run},
                   {"published", FormatTime(m.published)},
                   {"root", m.root ? archive::ToHex(*m.root) : std::string()},
                   {"file_count", m.file_count},
                   {"retired", EncodeFiles(m.retired, true)}};
  json::array links;
  for (const std::string& link : m.links) links.emplace_back(link);
  doc["links"] = std::move(links);
  if (!m.files.empty()) doc["files"] = EncodeFiles(m.files, false);
  return json::serialize(doc) + "\n";
}

Result<Manifest> DecodeManifest(std::string_view text, std::string_view where) {
  const std::string w(where);
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return Corruption(w + ": not JSON: " + ec.message());
  if (!doc.is_object()) return Corruption(w + ": not a JSON object");
  const json::object& o = doc.as_object();
  const json::value* format = o.if_contains("format");
  if (format == nullptr || !format->is_int64() ||
      (format->as_int64() != 1 && format->as_int64() != 2)) {
    return Corruption(w + ": unknown format (this mirrorvault reads formats 1 and 2)");
  }
  const bool v1 = format->as_int64() == 1;
  Manifest m;
  for (auto [name, field] : {std::pair{"archive", &m.archive}, std::pair{"run", &m.run}}) {
    const json::value* v = o.if_contains(name);
    if (v == nullptr || !v->is_string()) return Corruption(w + ": no " + name + " string");
    *field = std::string(v->as_string());
  }
  const json::value* published = o.if_contains("published");
  if (published == nullptr) return Corruption(w + ": no published time");
  Result<std::chrono::system_clock::time_point> t = Time(*published, w + " published");
  if (!t.ok()) return Corruption(t.status().message());
  m.published = *t;
  const json::value* files = o.if_contains("files");
  const json::value* retired = o.if_contains("retired");
  if ((v1 && files == nullptr) || retired == nullptr) {
    return Corruption(w + ": no " + (retired == nullptr ? "retired" : "files"));
  }
  if (files != nullptr) MV_RETURN_IF_ERROR(DecodeFiles(*files, false, w + " files", &m.files));
  MV_RETURN_IF_ERROR(DecodeFiles(*retired, true, w + " retired", &m.retired));
  if (v1) {
    m.file_count = m.files.size();
    return m;
  }
  const json::value* root = o.if_contains("root");
  const json::value* count = o.if_contains("file_count");
  const json::value* links = o.if_contains("links");
  if (root == nullptr || !root->is_string()) return Corruption(w + ": no root string");
  if (!root->as_string().empty()) {
    Result<archive::Sha256> id =
        archive::ParseSha256(std::string_view(root->as_string()), w + " root");
    if (!id.ok()) return Corruption(id.status().message());
    m.root = *id;
  }
  if (count == nullptr || !count->is_number() || (count->is_int64() && count->as_int64() < 0) ||
      count->is_double()) {
    return Corruption(w + ": no file_count");
  }
  m.file_count = count->is_uint64() ? count->as_uint64() : static_cast<uint64_t>(count->as_int64());
  if (links == nullptr || !links->is_array()) return Corruption(w + ": no links array");
  for (const json::value& link : links->as_array()) {
    if (!link.is_string()) return Corruption(w + ": a link that is not a string");
    std::string path(link.as_string());
    if (Status valid = store::ValidateKey(path); !valid.ok()) {
      return Corruption(w + " link \"" + path.substr(0, 200) +
                        "\": not a valid key: " + valid.message());
    }
    m.links.push_back(std::move(path));
  }
  return m;
}

}  // namespace mv::publish
