// The run record format of docs/store-format.md ("Run records"); keep the two in step.
#include "archive/run_record.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <span>

#include "util/encoding.h"

namespace mv::archive {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 13> kRecordKeys = {
    "format",    "archive",   "run_id", "root",   "parent",  "files",    "bytes",
    "new_files", "new_bytes", "source", "writer", "started", "committed"};
constexpr std::array<std::string_view, 3> kSourceKeys = {"kind", "location", "details"};

// A JSON string (the text is UTF-8).
void PutString(std::string& out, std::string_view s) { AppendQuoted(out, s, QuoteStyle::kJson); }

void PutKey(std::string& out, std::string_view key) {
  PutString(out, key);
  out += ':';
}

// "YYYY-MM-DDTHH:MM:SSZ" as a run id's text "YYYYMMDDTHHMMSSZ", or "" when the separators are
// not where they belong (RunId::Parse then checks the digits and ranges).
std::string Rfc3339ToRunIdText(std::string_view t) {
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != 'Z') {
    return "";
  }
  std::string out;
  out += t.substr(0, 4);
  out += t.substr(5, 2);
  out += t.substr(8, 2);
  out += 'T';
  out += t.substr(11, 2);
  out += t.substr(14, 2);
  out += t.substr(17, 2);
  out += 'Z';
  return out;
}

class RecordReader {
 public:
  explicit RecordReader(std::string_view where) : where_(where) {}

  Status Fail(std::string_view field, std::string_view what) const {
    return Corruption(std::string(where_) + ": run record field \"" + std::string(field) + "\" " +
                      std::string(what));
  }

  // Exactly the keys `known`, every one present.
  Status CheckKeys(const json::object& obj, std::span<const std::string_view> known,
                   std::string_view context) const {
    for (const auto& kv : obj) {
      std::string_view key = kv.key();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string name = std::string(context) + std::string(key.substr(0, 100));
        return Fail(name, "is not part of run record format 1");
      }
    }
    for (std::string_view key : known) {
      if (!obj.contains(key)) return Fail(std::string(context) + std::string(key), "is missing");
    }
    return Status::Ok();
  }

  Status String(const json::object& obj, std::string_view key, std::string& out,
                std::string_view context = "") const {
    const json::value& v = obj.at(key);
    if (!v.is_string()) return Fail(std::string(context) + std::string(key), "is not a string");
    out = std::string(v.get_string());
    return Status::Ok();
  }

  Status Count(const json::object& obj, std::string_view key, uint64_t& out) const {
    const json::value& v = obj.at(key);
    if (v.is_uint64()) {
      out = v.get_uint64();
    } else if (v.is_int64() && v.get_int64() >= 0) {
      out = static_cast<uint64_t>(v.get_int64());
    } else {
      return Fail(key, "is not a whole number from 0 to 2^64-1");
    }
    return Status::Ok();
  }

  Status Run(const json::object& obj, std::string_view key, RunId& out) const {
    std::string text;
    MV_RETURN_IF_ERROR(String(obj, key, text));
    auto id = RunId::Parse(text);
    if (!id.ok()) return Fail(key, id.status().message());
    out = *id;
    return Status::Ok();
  }

  Status Time(const json::object& obj, std::string_view key, std::string& out) const {
    MV_RETURN_IF_ERROR(String(obj, key, out));
    if (!IsRecordTime(out)) {
      return Fail(key, "is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
    }
    return Status::Ok();
  }

 private:
  std::string_view where_;
};

}  // namespace

std::string EncodeRunRecord(const RunRecord& record) {
  std::string out = "{";
  PutKey(out, "format");
  out += std::to_string(record.format);
  out += ',';
  PutKey(out, "archive");
  PutString(out, record.archive);
  out += ',';
  PutKey(out, "run_id");
  PutString(out, record.run_id.ToString());
  out += ',';
  PutKey(out, "root");
  PutString(out, ToHex(record.root));
  out += ',';
  PutKey(out, "parent");
  if (record.parent) {
    PutString(out, record.parent->ToString());
  } else {
    out += "null";
  }
  auto put_count = [&](std::string_view key, uint64_t value) {
    out += ',';
    PutKey(out, key);
    out += std::to_string(value);
  };
  put_count("files", record.files);
  put_count("bytes", record.bytes);
  put_count("new_files", record.new_files);
  put_count("new_bytes", record.new_bytes);
  out += ',';
  PutKey(out, "source");
  out += '{';
  PutKey(out, "kind");
  PutString(out, record.source.kind);
  out += ',';
  PutKey(out, "location");
  PutString(out, record.source.location);
  out += ',';
  PutKey(out, "details");
  out += '{';
  bool first = true;
  for (const auto& [key, value] : record.source.details) {
    if (!first) out += ',';
    first = false;
    PutKey(out, key);
    PutString(out, value);
  }
  out += "}},";
  PutKey(out, "writer");
  PutString(out, record.writer);
  out += ',';
  PutKey(out, "started");
  PutString(out, record.started);
  out += ',';
  PutKey(out, "committed");
  PutString(out, record.committed);
  out += "}\n";
  return out;
}

bool IsRecordTime(std::string_view t) {
  std::string as_run_id = Rfc3339ToRunIdText(t);
  return !as_run_id.empty() && RunId::Parse(as_run_id).ok();
}

Result<RunRecord> ParseRunRecord(std::string_view text, std::string_view where) {
  RecordReader r(where);
  std::error_code ec;
  json::value doc = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    return Corruption(std::string(where) + ": run record is not valid JSON: " + ec.message());
  }
  if (!doc.is_object()) return Corruption(std::string(where) + ": run record is not an object");
  const json::object& obj = doc.get_object();

  // The version first, so a newer record is refused as newer, not as a list of odd fields.
  if (!obj.contains("format")) return r.Fail("format", "is missing");
  const json::value& format = obj.at("format");
  if (!(format.is_int64() && format.get_int64() == kRunRecordFormat)) {
    std::string shown = format.is_number() ? json::serialize(format) : "not a number";
    return r.Fail("format", "is " + shown + ": this mirrorvault reads run record format " +
                                std::to_string(kRunRecordFormat) +
                                " only (a newer mirrorvault may have written it)");
  }
  MV_RETURN_IF_ERROR(r.CheckKeys(obj, kRecordKeys, ""));

  RunRecord rec;
  rec.format = kRunRecordFormat;
  MV_RETURN_IF_ERROR(r.String(obj, "archive", rec.archive));
  if (Status s = ValidateArchiveName(rec.archive); !s.ok()) return r.Fail("archive", s.message());
  MV_RETURN_IF_ERROR(r.Run(obj, "run_id", rec.run_id));
  std::string root;
  MV_RETURN_IF_ERROR(r.String(obj, "root", root));
  auto root_id = ParseSha256(root, "root");
  if (!root_id.ok()) return r.Fail("root", "is not 64 lower-case hex digits");
  rec.root = *root_id;
  if (!obj.at("parent").is_null()) {
    RunId parent;
    MV_RETURN_IF_ERROR(r.Run(obj, "parent", parent));
    rec.parent = parent;
  }
  MV_RETURN_IF_ERROR(r.Count(obj, "files", rec.files));
  MV_RETURN_IF_ERROR(r.Count(obj, "bytes", rec.bytes));
  MV_RETURN_IF_ERROR(r.Count(obj, "new_files", rec.new_files));
  MV_RETURN_IF_ERROR(r.Count(obj, "new_bytes", rec.new_bytes));

  const json::value& source = obj.at("source");
  if (!source.is_object()) return r.Fail("source", "is not an object");
  const json::object& src = source.get_object();
  MV_RETURN_IF_ERROR(r.CheckKeys(src, kSourceKeys, "source."));
  MV_RETURN_IF_ERROR(r.String(src, "kind", rec.source.kind, "source."));
  if (rec.source.kind.empty()) return r.Fail("source.kind", "is empty");
  MV_RETURN_IF_ERROR(r.String(src, "location", rec.source.location, "source."));
  const json::value& details = src.at("details");
  if (!details.is_object()) return r.Fail("source.details", "is not an object");
  for (const auto& kv : details.get_object()) {
    if (!kv.value().is_string()) {
      return r.Fail("source.details." + std::string(kv.key().substr(0, 100)), "is not a string");
    }
    rec.source.details.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }

  MV_RETURN_IF_ERROR(r.String(obj, "writer", rec.writer));
  MV_RETURN_IF_ERROR(r.Time(obj, "started", rec.started));
  MV_RETURN_IF_ERROR(r.Time(obj, "committed", rec.committed));

  // Equal records are equal bytes: anything but the canonical text of what was read (other
  // key order, spacing, escapes or number forms, a duplicate key) is refused.
  if (EncodeRunRecord(rec) != text) {
    return Corruption(std::string(where) +
                      ": run record is not in canonical form (key order, spacing, string "
                      "escapes, number forms or duplicate keys differ from docs/store-format.md)");
  }
  return rec;
}

}  // namespace mv::archive
