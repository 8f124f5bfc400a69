// EditTree: a run's tree made from an earlier run's by replacing what changed, for a producer
// that knows which folders changed (the upstream mirror: the folders of the pool files that its
// changed indexes add or drop, and dists/, which it builds anew). Every other folder keeps its
// node id untouched, so the work and the nodes written are O(changed folders and their
// ancestors), not O(tree). The result is the tree a TreeBuilder given every file of the new run
// would build (tests/archive/tree_edit_test.cpp compares them).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "archive/tree.h"
#include "archive/tree_builder.h"
#include "archive/tree_walk.h"
#include "util/status.h"

namespace mv::archive {

struct TreeEdits {
  // Folders ("a/b", no leading or trailing '/') whose own files and symlinks become exactly these
  // (entry names are single components); their subfolders stay as in the base tree unless edited
  // themselves. A folder left with no entry at all is dropped from its parent, as a TreeBuilder
  // makes no empty folder.
  std::map<std::string, std::vector<TreeEntry>> folder_files;
  // Subtrees ("dists") replaced whole by trees built by this run, their paths relative to the
  // subtree's folder; their nodes and files join the result's. An empty one (no files) drops the
  // folder. No edited folder may lie within a replaced subtree.
  std::map<std::string, BuiltTree> subtrees;
};

// The tree `base_root` (none: an empty tree) with `edits` applied, read through `nodes`:
// `levels` holds only the nodes encoded for edited folders and their ancestors, and the
// replaced subtrees' nodes; `files_in_order` only the files of edited folders and of the
// replaced subtrees, in tree order. InvalidArgument names the path where a file and a folder
// would share a name, or an edit lies within a replaced subtree; the errors of `nodes`.
Result<BuiltTree> EditTree(NodeSource& nodes, const std::optional<Sha256>& base_root,
                           TreeEdits edits);

}  // namespace mv::archive
