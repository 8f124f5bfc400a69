// The packages one run holds, read from its own dists/ indexes: for each suite folder of
// dists/, its InRelease (or Release), and the Packages and Sources files that Release lists and
// the run holds with the listed SHA-256. Works alike for mirrored runs and imported local trees.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apt/indexes.h"
#include "archive/ids.h"
#include "archive/tree_walk.h"
#include "store/object_store.h"
#include "util/status.h"

namespace mv::pkgindex {

// (suite, component, architecture, package, version): one package in one index of a run.
// Sources have architecture "source".
struct PresenceKey {
  std::string suite, component, architecture, name, version;
  auto operator<=>(const PresenceKey&) const = default;
};

// The presence keys one index gives: a Packages of (suite, component, architecture), a Sources of
// (suite, component, "source"); a flat repository's one Packages holds every architecture
// (architecture "" here).
struct IndexScope {
  std::string suite, component, architecture;
  auto operator<=>(const IndexScope&) const = default;
};

struct RunPackages {
  // When read against a previous run: the scopes whose index is not the same file in both runs
  // (changed, added or gone), and `presence`, `sources` and `binaries` hold only theirs; the
  // others' packages are the previous run's. Read alone (`against_previous` false): everything.
  bool against_previous = false;
  std::vector<IndexScope> changed;
  // The changed scopes whose index was compared with the previous run's paragraph by paragraph
  // (sorted): for them `presence` holds only the keys that appeared, `gone` those that
  // disappeared, and `sources` and `binaries` the packages of the paragraphs that appeared. The
  // package index takes such a delta only where its open stretches of the scope are as many as
  // the previous index's keys (that index was indexed whole, not skipped as unreadable).
  struct Compared {
    IndexScope scope;
    uint64_t keys_before = 0;  // the distinct keys of the previous run's index
    auto operator<=>(const Compared&) const = default;
  };
  std::vector<Compared> compared;
  std::vector<PresenceKey> presence;  // sorted, unique
  std::vector<PresenceKey> gone;      // sorted, unique
  std::vector<apt::SourcePackage> sources;
  std::vector<apt::BinaryPackage> binaries;
  // Suites or indexes that could not be read, and why (a local tree's odd Release, say).
  std::vector<std::string> skipped;
};

// Reads the run whose root tree is `root`. Index contents are read from `store` as blobs. Only
// store or tree failures are errors; an unreadable Release or index is noted in `skipped`.
// Given the root of the previous run, only what differs is read: a suite folder with the same
// tree id is skipped whole, and in the others an index that is the same file in both runs; an
// index that changed is compared with the previous one paragraph by paragraph, and only the
// paragraphs that differ are parsed (apt::ScanParagraphs), so that a run costs what it changed. A
// previous run whose tree or Release is gone or damaged is not compared: the run is read alone.
Result<RunPackages> ReadRunPackages(store::ObjectStore& store, archive::NodeSource& nodes,
                                    const archive::Sha256& root,
                                    const std::optional<archive::Sha256>& previous_root = {});

}  // namespace mv::pkgindex
