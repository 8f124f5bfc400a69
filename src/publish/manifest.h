// The target's state manifest: what a publish left there, by SHA-256 and since when, and what the
// current state no longer names (retired, waiting out the grace period before deletion). One small
// JSON object in the target itself (kManifestKey), so a publish never lists the bucket and never
// compares ETags; the target alone says what it holds.
//
//   {"format": 1, "archive": "debian", "run": "20240229T000000Z", "published": "20240229T000100Z",
//    "files": {"pool/main/h/hello/hello_1.0_amd64.deb": {"sha256": "...", "size": 123}},
//    "retired": {"dists/bookworm/main/binary-amd64/by-hash/SHA256/...": {"sha256": "...",
//                "size": 456, "since": "20240229T000100Z"}}}
// Times are UTC to the second, written as run ids are.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

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
  std::map<std::string, ManifestFile> files;    // named by the current state
  std::map<std::string, ManifestFile> retired;  // no longer named; deleted after the grace
  friend bool operator==(const Manifest&, const Manifest&) = default;
};

std::string EncodeManifest(const Manifest& manifest);
// Corruption naming `where` and what is wrong: not JSON, an unknown format, a field of the wrong
// type, a bad hash or time, a path that is not a valid key.
Result<Manifest> DecodeManifest(std::string_view text, std::string_view where = "manifest");

}  // namespace mv::publish
