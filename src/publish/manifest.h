// The target's state manifest: which run's tree the target holds (its root: the files are that
// tree's, publish/run_files.h), the paths in it that are links, and what the current state no
// longer names (retired, waiting out the grace period before deletion), by SHA-256 and since when.
// One JSON object in the target itself (kManifestKey), so a publish never lists the bucket and
// never compares ETags, and its size follows the churn within the grace, not the archive.
//
//   {"format": 2, "archive": "debian", "run": "20240229T000000Z", "published": "20240229T000100Z",
//    "root": "<tree id>", "file_count": 1234, "links": ["dists/stable"],
//    "retired": {"dists/bookworm/main/binary-amd64/by-hash/SHA256/...": {"sha256": "...",
//                "size": 456, "since": "20240229T000100Z"}}}
// Times are UTC to the second, written as run ids are. "files" ({"path": {"sha256", "size"}})
// lists every file instead of "root" in format 1 (read, never written), and in the in-flight
// record the files a publish may write.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ids.h"
#include "util/status.h"

namespace mv::publish {

// Under the target's prefix; apt never asks for it.
inline constexpr std::string_view kManifestKey = ".mirrorvault/publish-state.json";
// Written before the first upload of a publish and removed after the manifest: a publish that
// finds it resumes (checking the files it may have written) rather than trusting the manifest.
inline constexpr std::string_view kInflightKey = ".mirrorvault/publish-inflight.json";

struct ManifestFile {
  archive::Sha256 sha256{};
  uint64_t size = 0;
  std::chrono::system_clock::time_point since{};  // retired files: when they stopped being named
  friend bool operator==(const ManifestFile&, const ManifestFile&) = default;
};

struct Manifest {
  std::string archive;
  std::string run;  // run id of the published state; empty: nothing published yet
  std::chrono::system_clock::time_point published{};
  std::optional<archive::Sha256> root;  // the published run's tree
  uint64_t file_count = 0;              // its files, links expanded
  std::vector<std::string> links;       // its paths that are symlinks (publish/run_files.h)
  // Without a root (format 1): every file of the published state. In the in-flight record: every
  // file the publish may write.
  std::map<std::string, ManifestFile> files;
  std::map<std::string, ManifestFile> retired;  // no longer named; deleted after the grace
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

std::string EncodeManifest(const Manifest& manifest);
// Reads formats 1 and 2. Corruption naming `where` and what is wrong: not JSON, an unknown
// format, a field of the wrong type, a bad hash or time, a path that is not a valid key.
Result<Manifest> DecodeManifest(std::string_view text, std::string_view where = "manifest");

}  // namespace mv::publish
