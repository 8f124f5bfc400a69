// The run record: the commit point of one run, stored at runs/<archive>/<run-id>.json, written
// once and never overwritten. A permanent, versioned format (docs/store-format.md): canonical
// JSON, keys in a fixed order, so equal records are equal bytes and golden hashes pin the
// encoding.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "archive/ids.h"
#include "util/run_id.h"
#include "util/status.h"

namespace mv::archive {

inline constexpr int kRunRecordFormat = 1;

struct RunSource {
  // "local": imported from a folder (`location` is its absolute path);
  // "upstream": mirrored from an apt repository (`location` is its URL, without credentials).
  std::string kind;
  std::string location;
  // Further facts about the source, e.g. {"release_date/bookworm": "Sat, 10 Jun 2023 ..."} or
  // {"filter": "^linux-"}; encoded as a JSON object with sorted keys.
  std::map<std::string, std::string> details;
  friend bool operator==(const RunSource&, const RunSource&) = default;
};

// The detail of a mirrored run that names the parts of the complete apt view it left out on
// purpose ("dep11,cnf": importer/mirror.h's `without`); absent (older runs, or nothing left
// out): the run took everything its Releases list for the selection.
inline constexpr std::string_view kRunDetailWithout = "without";

struct RunRecord {
  int format = kRunRecordFormat;
  std::string archive;
  RunId run_id;
  Sha256 root{};                // the id of the root directory's top node
  std::optional<RunId> parent;  // the archive's previous run when this one was made
  uint64_t files = 0;           // files in the tree (symlinks and directories not counted)
  uint64_t bytes = 0;           // their total size
  uint64_t new_files = 0;       // blobs this run added to the store
  uint64_t new_bytes = 0;       // their total size
  RunSource source;
  std::string writer;     // "mirrorvault 0.1.0 host=<host> pid=<pid>"
  std::string started;    // UTC, RFC 3339 to the second: "2026-11-22T10:15:00Z"
  std::string committed;  // UTC, RFC 3339 to the second
  friend bool operator==(const RunRecord&, const RunRecord&) = default;
};

// Canonical JSON, one line plus '\n':
// {"format":1,"archive":...,"run_id":...,"root":<hex>,"parent":<run id or null>,"files":...,
//  "bytes":...,"new_files":...,"new_bytes":...,"source":{"kind":...,"location":...,
//  "details":{...sorted}},"writer":...,"started":...,"committed":...}
// No spaces; strings escape '"', '\\' and control characters only (docs/store-format.md).
// REQUIRES: every string is valid UTF-8 (else the text will not parse back).
std::string EncodeRunRecord(const RunRecord& record);

// Parses and checks a record (known format version, every field present with the right type,
// a valid archive name and run id, a 64-hex root). Corruption names `where` and the field.
// Unknown extra keys are refused, so a newer format is never half-read. Text that is not exactly
// EncodeRunRecord of the record it holds (other key order, spacing, escapes, duplicate keys) is
// refused too: equal records are equal bytes.
Result<RunRecord> ParseRunRecord(std::string_view json, std::string_view where);

// Whether `t` is a UTC time as records hold them: "YYYY-MM-DDTHH:MM:SSZ" (years 1970-2261).
bool IsRecordTime(std::string_view t);

}  // namespace mv::archive
