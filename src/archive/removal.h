// A removal: files withdrawn from the archive (`mirrorvault remove`, for legal reasons), stored at
// removals/<id>.json before any blob is deleted, so that a server, a replica, `fsck` and
// `rebuild-catalog` all learn that these contents are gone on purpose. Immutable once written. A
// permanent, versioned format (docs/store-format.md, "Removals"): canonical JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archive/ids.h"
#include "util/run_id.h"
#include "util/status.h"

namespace mv::archive {

inline constexpr int kRemovalFormat = 1;

struct RemovedFile {
  Sha256 sha256{};
  Sha1 sha1{};
  uint64_t size = 0;
  friend bool operator==(const RemovedFile&, const RemovedFile&) = default;
};

struct Removal {
  std::string id;                  // "<YYYYMMDDTHHMMSSZ>-<8 hex>" (RemovalId)
  std::string removed;             // UTC, RFC 3339 to the second
  std::string removed_by;          // who: "alice@host (cli)"
  std::string reason;              // why (never empty: a removal must say why)
  std::vector<RemovedFile> files;  // sorted by SHA-256, no two alike, at least one
  friend bool operator==(const Removal&, const Removal&) = default;
};

// The id of a removal made at `when` of `files` for `reason`: the time as a run id, then the first
// 8 hex digits of the SHA-256 of the files' SHA-256s and the reason (so two removals in one second
// differ).
std::string RemovalId(const RunId& when, const std::vector<RemovedFile>& files,
                      std::string_view reason);
// InvalidArgument unless `id` has RemovalId's shape.
Status ValidateRemovalId(std::string_view id);

inline constexpr std::string_view kRemovalsPrefix = "removals/";
// "removals/<id>.json", and its inverse for listings.
std::string RemovalKey(std::string_view id);
Result<std::string> ParseRemovalKey(std::string_view key);

// Canonical JSON, one line plus '\n':
// {"format":1,"id":...,"removed":...,"removed_by":...,"reason":...,
//  "files":[{"sha256":<hex>,"sha1":<hex>,"size":N},...]}
std::string EncodeRemoval(const Removal& removal);

// Parses and checks a removal: the known format, every field, sorted distinct files, and the
// canonical form. Corruption names `where` and what is wrong.
Result<Removal> ParseRemoval(std::string_view text, std::string_view where);

}  // namespace mv::archive
