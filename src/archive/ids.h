// Names of things in an archive store (docs/design.md section 5): content hashes, archive names,
// and the object keys of blobs, tree nodes, run records and the format marker.
//
//   blobs/<h0h1>/<h2h3>/<sha256>      file contents
//   trees/<h0h1>/<sha256>             one tree node (archive/tree.h)
//   runs/<archive>/<run-id>.json      one run record (archive/run_record.h)
//   format                            "mirrorvault-store 1\n"
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/run_id.h"
#include "util/status.h"

namespace mv::archive {

// Raw digests; hex only at the edges (keys, JSON, messages).
using Sha256 = std::array<uint8_t, 32>;
using Sha1 = std::array<uint8_t, 20>;

std::string ToHex(const Sha256& digest);
std::string ToHex(const Sha1& digest);
std::string_view AsBytes(const Sha256& digest);  // the 32 raw bytes
std::string_view AsBytes(const Sha1& digest);
// InvalidArgument naming `what` unless `hex` is 64 (40) lower-case hex digits.
Result<Sha256> ParseSha256(std::string_view hex, std::string_view what = "sha256");
Result<Sha1> ParseSha1(std::string_view hex, std::string_view what = "sha1");
// From raw bytes (a catalog BLOB); Corruption naming `what` unless the length is right.
Result<Sha256> Sha256FromBytes(std::string_view bytes, std::string_view what = "sha256");
Result<Sha1> Sha1FromBytes(std::string_view bytes, std::string_view what = "sha1");
Sha256 Sha256Of(std::string_view data);

// Archive names: 1-64 characters of [A-Za-z0-9._+-], starting with a letter or digit (so never
// "." or "..", never a '/'). InvalidArgument says which rule `name` breaks.
Status ValidateArchiveName(std::string_view name);

inline constexpr std::string_view kBlobsPrefix = "blobs/";
inline constexpr std::string_view kTreesPrefix = "trees/";
inline constexpr std::string_view kRunsPrefix = "runs/";
inline constexpr std::string_view kTombstonesPrefix = "tombstones/";
inline constexpr std::string_view kFormatKey = "format";
inline constexpr std::string_view kFormatContents = "mirrorvault-store 1\n";

std::string BlobKey(const Sha256& digest);
std::string TreeKey(const Sha256& digest);
std::string RunKey(std::string_view archive, const RunId& run_id);
std::string RunsPrefix(std::string_view archive);  // "runs/<archive>/"
// Inverses for listings; InvalidArgument when `key` is not of that shape.
Result<Sha256> ParseBlobKey(std::string_view key);
Result<Sha256> ParseTreeKey(std::string_view key);
struct RunKeyParts {
  std::string archive;
  RunId run_id;
};
Result<RunKeyParts> ParseRunKey(std::string_view key);
// A deleted run's tombstone (archive/tombstone.h): "tombstones/<archive>/<run-id>.json".
std::string TombstoneKey(std::string_view archive, const RunId& run_id);
std::string TombstonesPrefix(std::string_view archive);  // "tombstones/<archive>/"
Result<RunKeyParts> ParseTombstoneKey(std::string_view key);

}  // namespace mv::archive
