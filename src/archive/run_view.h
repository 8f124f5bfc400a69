// Naming runs and paths in them, as users write them: "debian@20240229" (the run at or before a
// moment, like snapshot.debian.org's URLs), and paths that may pass through symlinks.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The moment a timestamp names, as written after '@' and in /archive/ URLs: nullopt for "now"
// (the latest run, even one named in the future by hand), else the run id it names or shortens
// ("20240229": the latest run at or before that day's end). InvalidArgument for anything else.
Result<std::optional<RunId>> ParseMoment(std::string_view timestamp);

// The NotFound of a moment before every run of `archive`: it names the moment and the earliest.
Status NoRunAtOrBefore(std::string_view archive, const RunId& at, const RunId& earliest);

// The run `moment` (ParseMoment's) names among `runs`, one archive's runs in ascending run id
// order (RunRow, or any type with a run_id): the last for "now", else the last at or before it.
// NotFound (NoRunAtOrBefore) when every run is later, or when there are none.
template <typename Run>
Result<const Run*> RunAtMoment(std::string_view archive, const std::vector<Run>& runs,
                               const std::optional<RunId>& moment) {
  if (runs.empty()) return NotFound("archive '" + std::string(archive) + "' has no runs");
  if (!moment) return &runs.back();
  auto after = std::upper_bound(runs.begin(), runs.end(), *moment,
                                [](const RunId& t, const Run& r) { return t < r.run_id; });
  if (after == runs.begin()) return NoRunAtOrBefore(archive, *moment, runs.front().run_id);
  return &*(after - 1);
}

// The run of `spec.archive` its timestamp names (ParseMoment), found by the catalog's queries.
// NotFound says which archive and moment, and the earliest run there is (or that the archive has
// none).
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
