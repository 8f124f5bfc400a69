// Withdrawing removed contents (retention/removal.h) from a publish target: every path of the
// published state whose file has a removed SHA-256 is deleted from the target, and so is every
// retired file with one. The manifest stays as it is: the next publish of the target (from any
// run) writes what it names again, except removed contents, which no run's store has any more.
//
// A deleted pool file leaves the target's indexes naming a file apt cannot fetch (that package
// only); a deleted index file (under dists/) breaks the Release's promise for the whole suite:
// the answer says so, and the operator publishes a run again (the withdrawn index stays withdrawn:
// the target then serves the run's other files, and apt refuses only that suite).
#pragma once

#include <string>
#include <vector>

#include "archive/ids.h"
#include "archive/tree_walk.h"
#include "store/object_store.h"
#include "util/status.h"

namespace mv::publish {

struct TargetWithdrawal {
  std::vector<std::string> deleted;  // paths deleted from the target, sorted
  bool indexes_broken = false;       // one of them is under dists/: publish the target again
};

// Reads the target's manifest and the published run's tree (through `nodes`, the archive's), and
// deletes the paths holding a content of `removed` (sorted). A target with nothing published:
// nothing to do.
Result<TargetWithdrawal> WithdrawFromTarget(store::ObjectStore& target, archive::NodeSource& nodes,
                                            const std::vector<archive::Sha256>& removed);

}  // namespace mv::publish
