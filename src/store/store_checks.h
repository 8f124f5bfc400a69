// Checks and messages shared by the stores that implement ObjectStore's rules themselves
// (memory, local), so both answer the same codes with the same words. Internal to src/store.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "store/object_store.h"

namespace mv::store {

// InvalidArgument when expected_sha256 is set but not 64 lower-case hex digits.
Status CheckPutOptions(const std::string& key, const PutOptions& options);

// The metadata as stored: keys lower-cased (ASCII).
std::map<std::string, std::string> LowerCaseKeys(const std::map<std::string, std::string>& in);

// The bytes [offset, offset + length) a Get with `options` reads from an object of `size`
// bytes, or InvalidArgument naming the key when the range is unsatisfiable.
struct ReadSpan {
  uint64_t offset = 0;
  uint64_t length = 0;
};
Result<ReadSpan> ResolveRange(const std::string& key, const GetOptions& options, uint64_t size);

// Corruption: "key K: expected sha256 E, got A; nothing was written" (callers add context).
Status Sha256Mismatch(const std::string& key, const std::string& expected,
                      const std::string& actual);

// NotFound: "<where>: no object with key K".
Status KeyNotFound(const std::string& where, const std::string& key);

// PreconditionFailed: "key K already exists (if_absent)" (callers add context).
Status KeyExists(const std::string& key);

}  // namespace mv::store
