#include "store/store_checks.h"

#include <algorithm>

#include "util/hash.h"

namespace mv::store {

Status CheckPutOptions(const std::string& key, const PutOptions& options) {
  if (options.expected_sha256 && !IsSha256Hex(*options.expected_sha256)) {
    return InvalidArgument("put \"" + key + "\": expected_sha256 \"" + *options.expected_sha256 +
                           "\" is not 64 lower-case hex digits");
  }
  for (const auto& [name, value] : options.metadata) {
    if (name.empty()) return InvalidArgument("put \"" + key + "\": empty metadata key");
  }
  return Status::Ok();
}

std::map<std::string, std::string> LowerCaseKeys(const std::map<std::string, std::string>& in) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : in) {
    std::string lower = name;
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out[std::move(lower)] = value;
  }
  return out;
}

Result<ReadSpan> ResolveRange(const std::string& key, const GetOptions& options, uint64_t size) {
  if (!options.range) return ReadSpan{0, size};
  const ByteRange& r = *options.range;
  auto unsatisfiable = [&](const std::string& why) {
    std::string spec = std::to_string(r.first) + "-" + (r.last ? std::to_string(*r.last) : "");
    return InvalidArgument("range " + spec + " of key \"" + key + "\" (" + std::to_string(size) +
                           " bytes): " + why);
  };
  if (r.last && *r.last < r.first) return unsatisfiable("last byte before first byte");
  if (r.first >= size) return unsatisfiable("starts past the last byte");
  uint64_t last = r.last ? std::min(*r.last, size - 1) : size - 1;
  return ReadSpan{r.first, last - r.first + 1};
}

Status Sha256Mismatch(const std::string& key, const std::string& expected,
                      const std::string& actual) {
  return Corruption("key \"" + key + "\": expected sha256 " + expected + ", got " + actual +
                    "; nothing was written");
}

Status KeyNotFound(const std::string& where, const std::string& key) {
  return NotFound(where + ": no object with key \"" + key + "\"");
}

Status KeyExists(const std::string& key) {
  return PreconditionFailed("key \"" + key + "\" already exists (if_absent)");
}

}  // namespace mv::store
