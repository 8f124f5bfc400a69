#include "archive/json_record.h"

#include <boost/json/parse.hpp>

namespace mv::archive {

std::optional<std::string> JsonRecordProblem(std::string_view text, int format,
                                             std::span<const std::string_view> keys,
                                             boost::json::value& doc) {
  std::error_code ec;
  doc = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) return "is not valid JSON: " + ec.message();
  if (!doc.is_object()) return "is not an object";
  const boost::json::object& obj = doc.get_object();
  if (!obj.contains("format")) return "has no \"format\"";
  const boost::json::value& f = obj.at("format");
  if (!(f.is_int64() && f.get_int64() == format)) {
    return "has a format this mirrorvault does not read (a newer mirrorvault may have written it)";
  }
  for (std::string_view key : keys) {
    if (!obj.contains(key)) return "has no \"" + std::string(key) + "\"";
  }
  if (obj.size() != keys.size()) return "has keys other than those of its format";
  return std::nullopt;
}

}  // namespace mv::archive
