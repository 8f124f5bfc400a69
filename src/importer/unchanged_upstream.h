// Whether a mirror's new run is its previous run again (importer/mirror.h): the same upstream,
// the same selection, and every suite's signed Release files byte for byte the previous run's.
// The Release pins each index by hash and the indexes each pool file, so nothing else needs to be
// fetched, parsed or built: the new run commits the previous run's tree (record detail
// "unchanged_from").
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "apt/index_select.h"
#include "archive/ids.h"
#include "archive/run_record.h"
#include "importer/mirror.h"
#include "util/status.h"

namespace mv::importer {

// Where a partial mirror's derived view lives in the run's tree (importer/derived_view.h).
inline const std::string kViewPrefix = "view/";

// A suite's folder in the tree: dists/<suite>/, or a flat repository's folder ("./" is the
// upstream's top: "").
std::string SuiteFolder(const std::string& suite);

// The run record's details that say what a mirror selected (compared by UnchangedParent).
std::map<std::string, std::string> SelectionDetails(const MirrorOptions& options, bool partial,
                                                    std::span<const apt::IndexPart> without);

// The previous run's record when it was mirrored from this upstream with this selection
// (`selection`: SelectionDetails of the new run), so that its tree holds what its indexes named,
// as this mirror would have made it; nullopt otherwise, when a derived view is built (it is signed
// anew each run), or when the record cannot be read.
std::optional<archive::RunRecord> SameSourceParent(
    const MirrorOptions& options, std::string_view parent_record, std::string_view parent_name,
    const std::map<std::string, std::string>& selection);

// What UnchangedParent compares a new run with.
struct UnchangedQuestion {
  const MirrorOptions& options;
  std::string_view parent_record;  // the previous run's record (JSON) as the catalog holds it
  std::string_view parent_name;    // ARCHIVE@RUN, for messages
  std::map<std::string, std::string> selection;  // SelectionDetails of the new run
  // The content at a path of this run as fetched so far (the signed Release files), if any.
  std::function<std::optional<archive::Sha256>(const std::string&)> now_file;
  // The content at a path of the previous run's tree, if a file is there.
  std::function<Result<std::optional<archive::Sha256>>(const std::string&)> parent_file;
};

// The previous run's record when the new run is that run again; nullopt when anything differs,
// when the previous run was not mirrored from this upstream, when a derived view is built (it is
// signed anew each run), or when the previous record cannot be read (then the run is mirrored in
// full rather than refused). An error only when the previous run's tree cannot be read.
Result<std::optional<archive::RunRecord>> UnchangedParent(const UnchangedQuestion& q);

// The details of a run that commits `parent`'s tree again: the parent's, with `fresh` (signed_by,
// release_date of this run) over them and unchanged_from naming the parent.
std::map<std::string, std::string> UnchangedDetails(
    const archive::RunRecord& parent, const std::map<std::string, std::string>& fresh);

}  // namespace mv::importer
