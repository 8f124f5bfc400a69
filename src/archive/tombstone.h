// A deleted run's tombstone: stored at tombstones/<archive>/<run-id>.json when `runs rm` (or a
// retention policy) deletes the run, before its run record goes. A run whose tombstone exists is
// deleted, whatever else the store still holds of it, so that a replica, `rebuild-catalog` and a
// reader of the bare store learn of the deletion. A permanent, versioned format
// (docs/store-format.md, "Deleted runs"): canonical JSON that holds the run's record as it was.
#pragma once

#include <string>
#include <string_view>

#include "archive/run_record.h"
#include "util/status.h"

namespace mv::archive {

inline constexpr int kTombstoneFormat = 1;

struct RunTombstone {
  RunRecord record;        // the deleted run's record, byte for byte as it was stored
  std::string deleted;     // UTC, RFC 3339 to the second
  std::string deleted_by;  // who deleted it: "alice@host (cli)", "retention policy of A"
  std::string reason;      // why ("" when none was given)
  friend bool operator==(const RunTombstone&, const RunTombstone&) = default;
};

// Canonical JSON, one line plus '\n':
// {"format":1,"deleted":...,"deleted_by":...,"reason":...,"record":<the run record's canonical
// JSON, without its newline>}
std::string EncodeTombstone(const RunTombstone& tombstone);

// Parses and checks a tombstone: the known format, every field, a record that ParseRunRecord
// accepts, and the canonical form. Corruption names `where` and what is wrong.
Result<RunTombstone> ParseTombstone(std::string_view text, std::string_view where);

}  // namespace mv::archive
