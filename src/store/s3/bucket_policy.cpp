#include "store/s3/bucket_policy.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>

#include "util/hash.h"

namespace mv::s3 {
namespace {

namespace json = boost::json;

bool IsRange(std::string_view cidr) {
  if (cidr.empty() || cidr.size() > 43) return false;
  for (char c : cidr) {
    if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '/')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::string> MergeReadPolicy(std::string_view existing, std::string_view bucket,
                                    std::string_view prefix,
                                    const std::vector<std::string>& cidrs) {
  // Sids are alphanumeric: the prefix goes in as part of its hash.
  const std::string sid = "mirrorvaultread" + Sha256Hex(prefix).substr(0, 16);
  json::object policy{{"Version", "2012-10-17"}, {"Statement", json::array{}}};
  if (!existing.empty()) {
    boost::system::error_code ec;
    json::value doc = json::parse(existing, ec);
    if (ec || !doc.is_object()) return Corruption("the bucket's policy is not a JSON object");
    policy = doc.as_object();
    json::value* statements = policy.if_contains("Statement");
    if (statements == nullptr) {
      policy["Statement"] = json::array{};
    } else if (statements->is_object()) {
      *statements = json::array{*statements};  // one statement may stand alone
    } else if (!statements->is_array()) {
      return Corruption("the bucket's policy has a Statement that is neither a list nor an object");
    }
  }
  json::array& statements = policy["Statement"].as_array();
  json::array kept;
  for (json::value& s : statements) {
    if (!s.is_object())
      return Corruption("the bucket's policy has a Statement that is not an object");
    const json::value* id = s.as_object().if_contains("Sid");
    if (id != nullptr && id->is_string() && id->as_string() == sid) continue;
    kept.push_back(std::move(s));
  }
  json::object statement{{"Sid", sid},
                         {"Effect", "Allow"},
                         {"Principal", "*"},
                         {"Action", json::array{"s3:GetObject"}},
                         {"Resource", json::array{"arn:aws:s3:::" + std::string(bucket) + "/" +
                                                  std::string(prefix) + "*"}}};
  if (!cidrs.empty()) {
    json::array ranges;
    for (const std::string& cidr : cidrs) {
      if (!IsRange(cidr))
        return InvalidArgument("not an address range: \"" + cidr.substr(0, 60) + "\"");
      ranges.push_back(json::string(cidr));
    }
    statement["Condition"] = json::object{{"IpAddress", json::object{{"aws:SourceIp", ranges}}}};
  }
  kept.push_back(std::move(statement));
  policy["Statement"] = std::move(kept);
  return json::serialize(policy);
}

}  // namespace mv::s3
