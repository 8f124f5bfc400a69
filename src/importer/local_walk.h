// Walking a local mirror tree (what ftpsync or debmirror leaves on disk): every file, symlink and
// folder under a root, with the stat fields the stat cache compares, every name checked before
// anything is uploaded.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace mv::importer {

struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  uint64_t device = 0;
  bool executable = false;  // any execute bit
  friend bool operator==(const FileStat&, const FileStat&) = default;
};

struct WalkedFile {
  std::string path;  // relative to the root, '/'-separated
  FileStat stat;
};

struct WalkedSymlink {
  std::string path;
  std::string target;
};

struct LocalTree {
  std::string root;  // absolute, as given (symlinks in it resolved)
  std::vector<WalkedFile> files;
  std::vector<WalkedSymlink> symlinks;
  std::vector<std::string> dirs;  // every folder but the root, relative
  uint64_t bytes = 0;
};

// Walks `root` without following symlinks. InvalidArgument names the path (escaped for
// display) of: a name that is not valid (archive/tree.h ValidateEntryName: invalid UTF-8,
// newlines, ...), a symlink target that is not valid, or a special file (fifo, socket, device),
// which cannot be imported. A folder that cannot be read gives its errno, naming it.
Result<LocalTree> WalkLocalTree(const std::string& root);

// `path` with bytes that would garble a message (control characters, invalid UTF-8) written
// as \n, \t, \xNN.
std::string DisplayPath(std::string_view path);

FileStat StatFields(const struct stat& st);

}  // namespace mv::importer
