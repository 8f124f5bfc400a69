// The packages one run holds, read from its own dists/ indexes: for each suite folder of
// dists/, its InRelease (or Release), and the Packages and Sources files that Release lists and
// the run holds with the listed SHA-256. Works alike for mirrored runs and imported local trees.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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

struct RunPackages {
  std::vector<PresenceKey> presence;  // sorted, unique
  std::vector<apt::SourcePackage> sources;
  std::vector<apt::BinaryPackage> binaries;
  // Suites or indexes that could not be read, and why (a local tree's odd Release, say).
  std::vector<std::string> skipped;
};

// Reads the run whose root tree is `root`. Index contents are read from `store` as blobs. Only
// store or tree failures are errors; an unreadable Release or index is noted in `skipped`.
Result<RunPackages> ReadRunPackages(store::ObjectStore& store, archive::NodeSource& nodes,
                                    const archive::Sha256& root);

}  // namespace mv::pkgindex
