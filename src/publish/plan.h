// What a publish writes, in which order (docs/design.md section 10), and what it may
// delete: pure functions of the run's files and the target's manifest, so the order is unit-tested
// without a store.
//
//   stage 1  every file no index names and the target lacks: the pool, by-hash copies, the rest
//   stage 2  the indexes under dists/ (Packages*, Sources*, Contents*, i18n/, dep11/, cnf/,
//            debian-installer/, per-component Release); a flat repository's at the top
//   stage 3  dists/SUITE/Release (a flat repository's: Release at the top), then Release.gpg,
//            then InRelease: the moment apt sees the new state
//
// A client reading the target at any instant sees the old Release (whose by-hash indexes and pool
// files are all still there) or the new one (whose files were all written before it).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ids.h"
#include "publish/manifest.h"
#include "publish/run_files.h"

namespace mv::publish {

enum class Stage : int { kContent = 1, kIndexes = 2, kRelease = 3 };

// The stage a run's path belongs to (a derived view's view/dists/ as the run's dists/).
Stage StageOf(std::string_view path);
// Within stage 3, the order of a suite's Release files: Release, Release.gpg, InRelease.
int ReleaseRank(std::string_view path);

struct Plan {
  // What to write, stage by stage; within stage 3 in ReleaseRank order.
  std::vector<RunFile> stages[3];
  // The manifest to write once stage 3 is done (its root, file count and links the caller's):
  // every file the new state no longer names kept as retired (since `now`, or since when it
  // first was) until the grace has passed.
  Manifest next;
  std::vector<std::string> deletable;  // retired for at least the grace: delete, then forget
  uint64_t upload_bytes = 0;
};

// Plans publishing run `run_id` of `archive` onto a target whose state is `current`, given what
// differs between the two (publish/run_files.h): every file a change names is written (a retired
// file named again too), every file a change drops is retired.
Plan MakePlan(const std::vector<FileChange>& changes, const Manifest& current,
              std::string_view archive, std::string_view run_id,
              std::chrono::system_clock::time_point now, std::chrono::seconds grace);

}  // namespace mv::publish
