// The dependency closure of a selection of binary packages, as a partial mirror needs it
// (`mirror --filter-with-deps`): every package apt would install for each selected one, per
// architecture, so that `apt-get install` of a selected package resolves against the packages
// kept.
//
// How each relationship group ("a (>= 1) | b | v") is satisfied, following apt's resolver
// (pkgDepCache::MarkInstall) where it has a choice:
//   1. a group that something already in the closure satisfies needs nothing more (apt keeps what
//      is installed or marked);
//   2. otherwise the first alternative, in the order written, that can be satisfied: by a real
//      package of that name whose version satisfies the constraint (the highest such version),
//      else by a package that provides the name (an unversioned Provides never satisfies a
//      versioned dependency; "Provides: v (= 1.2)" satisfies "v (>= 1)"), preferring a provider
//      already in the closure, then the most important Priority, then the first in index order.
//      Unlike apt, which considers only the candidate (highest) version, a lower version that
//      satisfies a constraint is taken: the derived view lists only what the closure holds, so
//      apt's candidate there is the version taken.
//   3. a group nothing satisfies is reported in Closure::unsatisfied and the walk goes on (as
//      aptly's -filter-with-deps warns and goes on): an upstream's own broken dependency, or one
//      on a component that is not mirrored, must not stop the mirror. The caller decides.
//
// Architectures: a package of architecture A resolves its dependencies among packages of A and
// of "all"; an "all" package resolves them once per mirrored architecture (as apt treats "all"
// as native). "name:any" takes a real package only when it is Multi-Arch: allowed (else only a
// provider); "name:native" is the plain name; "name:B" looks among B's packages (B must be
// mirrored). Architecture restrictions ("[amd64]") drop alternatives that do not apply; build
// profiles are ignored (they do not occur in Packages indexes). Cycles are fine: each
// (package, architecture) is visited once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "apt/package_universe.h"
#include "util/status.h"

namespace mv::apt {

struct ClosureOptions {
  // The mirrored architectures ("amd64", "arm64"; "all" is implied). REQUIRES: not empty.
  std::vector<std::string> architectures;
  bool recommends = false;  // follow Recommends as well as Depends and Pre-Depends
};

struct UnsatisfiedDependency {
  std::string package;       // UniversePackage::Describe() of the package whose field it is
  std::string architecture;  // the architecture it was resolved for
  std::string field;         // "Depends", "Pre-Depends" or "Recommends"
  std::string group;         // the group as Debian writes it: "a (>= 1) | b"
};

struct Closure {
  std::vector<uint32_t> packages;  // into PackageUniverse::packages(), ascending
  std::vector<UnsatisfiedDependency> unsatisfied;
};

// Every package of `universe` whose name `selected` accepts and whose architecture is mirrored
// (or "all"), every version of it, and what their dependencies need, transitively.
// InvalidArgument naming the field and the package when a visited package's relationship field
// does not parse; InvalidArgument when no architecture is given.
Result<Closure> CloseOverDependencies(const PackageUniverse& universe,
                                      const std::function<bool(std::string_view)>& selected,
                                      const ClosureOptions& options);

}  // namespace mv::apt
