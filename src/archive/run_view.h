// Naming runs and paths in them, as users write them: "debian@20240229" (the run at or before a
// moment, like snapshot.debian.org's URLs), and paths that may pass through symlinks.
#pragma once

#include <string>
#include <string_view>

#include "archive/catalog.h"
#include "archive/tree_walk.h"
#include "util/clock.h"

namespace mv::archive {

struct RunSpec {
  std::string archive;
  std::string timestamp;  // as written after '@'; "now" when absent
};

// "ARCHIVE@TS" or "ARCHIVE". InvalidArgument names the text: a bad archive name, or a timestamp
// that is neither "now" nor a (possibly shortened) YYYYMMDDTHHMMSSZ form.
Result<RunSpec> ParseRunSpec(std::string_view text);

// The latest run of `spec.archive` at or before its timestamp ("now": the latest). NotFound says
// which archive and moment, and the earliest run there is (or that the archive has none).
Result<RunRow> ResolveRun(Catalog& catalog, const RunSpec& spec, Clock& clock);

// NotFound for an archive without runs in `catalog`, listing the archives it does have, so that
// a mistyped name shows the right one.
Status UnknownArchive(Catalog& catalog, std::string_view archive);

inline constexpr int kMaxSymlinkHops = 16;

// The entry at `path` under `root`, following symlinks in every component (relative targets
// resolved from the link's folder) for at most kMaxSymlinkHops links. `resolved` (optional)
// receives the final path. NotFound names the path when it is missing, when a link points
// outside the run (an absolute target, or ".." above the root), or loops.
Result<TreeEntry> ResolvePath(NodeSource& source, const Sha256& root, std::string_view path,
                              std::string* resolved = nullptr);

}  // namespace mv::archive
