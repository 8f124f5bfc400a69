// The tombstone format of docs/store-format.md ("Deleted runs"); keep the two in step.
#include "archive/tombstone.h"

#include <array>
#include <boost/json/value.hpp>

#include "archive/json_record.h"
#include "util/encoding.h"

namespace mv::archive {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 5> kKeys = {"format", "deleted", "deleted_by", "reason",
                                                   "record"};

// Everything before the record's text: {"format":1,...,"record":
std::string Head(const RunTombstone& t) {
  std::string out = "{\"format\":" + std::to_string(kTombstoneFormat) + ",\"deleted\":";
  AppendQuoted(out, t.deleted, QuoteStyle::kJson);
  out += ",\"deleted_by\":";
  AppendQuoted(out, t.deleted_by, QuoteStyle::kJson);
  out += ",\"reason\":";
  AppendQuoted(out, t.reason, QuoteStyle::kJson);
  out += ",\"record\":";
  return out;
}

}  // namespace

std::string EncodeTombstone(const RunTombstone& tombstone) {
  std::string record = EncodeRunRecord(tombstone.record);
  record.pop_back();  // its newline
  return Head(tombstone) + record + "}\n";
}

Result<RunTombstone> ParseTombstone(std::string_view text, std::string_view where) {
  auto fail = [&](std::string_view what) {
    return Corruption(std::string(where) + ": tombstone " + std::string(what));
  };
  json::value doc;
  if (std::optional<std::string> problem = JsonRecordProblem(text, kTombstoneFormat, kKeys, doc)) {
    return fail(*problem);
  }
  const json::object& obj = doc.get_object();
  RunTombstone t;
  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"deleted", &t.deleted},
                          {"deleted_by", &t.deleted_by},
                          {"reason", &t.reason}}) {
    const json::value& v = obj.at(key);
    if (!v.is_string()) return fail("field \"" + std::string(key) + "\" is not a string");
    *out = std::string(v.get_string());
  }
  if (!IsRecordTime(t.deleted)) {
    return fail("field \"deleted\" is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
  }
  if (!obj.at("record").is_object()) return fail("field \"record\" is not an object");
  // Canonical: the head as this format writes it, the record's own canonical text, "}\n".
  const std::string head = Head(t);
  if (!text.starts_with(head) || !text.ends_with("}\n") || text.size() < head.size() + 2) {
    return fail("is not in canonical form (docs/store-format.md)");
  }
  std::string record_text(text.substr(head.size(), text.size() - head.size() - 2));
  record_text += '\n';
  MV_ASSIGN_OR_RETURN(t.record,
                      ParseRunRecord(record_text, std::string(where) + " (the deleted record)"));
  if (EncodeTombstone(t) != text) return fail("is not in canonical form (docs/store-format.md)");
  return t;
}

}  // namespace mv::archive
