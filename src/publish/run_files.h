// A run's files as a publish writes them, and what changed between two runs' files, found by
// comparing their trees: a publish of a run after another costs the change, not the archive.
//
// A target has no symlinks: a link to a file is written as that file, a link to a folder as every
// file beneath it under the link's path ("dists/stable/InRelease" as well as
// "dists/bookworm/InRelease"), links within followed the same way (at most kMaxSymlinkHops deep,
// as ResolvePath). Paths that are links are remembered between publishes (the manifest's
// "links"), since a link in an unchanged folder may point into a changed one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/ids.h"
#include "archive/tree_walk.h"
#include "util/status.h"

namespace mv::publish {

struct FileContent {
  archive::Sha256 sha256{};
  uint64_t size = 0;
  friend bool operator==(const FileContent&, const FileContent&) = default;
};

struct RunFile {
  std::string path;  // from the run's root, "pool/main/h/hello/hello_1.0_amd64.deb"
  archive::Sha256 sha256{};
  uint64_t size = 0;
  FileContent content() const { return {sha256, size}; }
  friend bool operator==(const RunFile&, const RunFile&) = default;
};

// One path whose published file differs: added (no before), gone (no after) or changed.
struct FileChange {
  std::string path;
  std::optional<FileContent> before;
  std::optional<FileContent> after;
  friend bool operator==(const FileChange&, const FileChange&) = default;
};

struct RunChanges {
  std::vector<FileChange> changes;  // by path (byte order), each path once
  std::vector<std::string> links;   // every path of the new run that is a symlink, sorted
  // Files the new run has minus files the old one had.
  int64_t file_delta = 0;
};

// Every file of the run as a publish writes it (links expanded), sorted by path.
Result<std::vector<RunFile>> ListRunFiles(archive::NodeSource& nodes, const archive::Sha256& root);

// What differs between the files of the run whose root is `before` (std::nullopt: no run; all of
// `after` is added) and whose link paths were `before_links`, and the run whose root is `after`.
// Reads the nodes of folders whose ids differ, and resolves each link path twice.
Result<RunChanges> DiffRunFiles(archive::NodeSource& nodes,
                                const std::optional<archive::Sha256>& before,
                                const std::vector<std::string>& before_links,
                                const archive::Sha256& after);

// The file a publish of the run writes at `path` (following links), or std::nullopt.
Result<std::optional<FileContent>> FileAt(archive::NodeSource& nodes, const archive::Sha256& root,
                                          std::string_view path);

}  // namespace mv::publish
