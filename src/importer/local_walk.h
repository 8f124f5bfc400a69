// Walking a local mirror tree (what ftpsync or debmirror leaves on disk): every file, symlink and
// folder under a root, folder by folder, with the stat fields the stat cache compares, every name
// checked before anything is uploaded.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
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
  std::string name;
  FileStat stat;
};

struct WalkedSymlink {
  std::string name;
  std::string target;
};

// One folder's entries, each kind sorted by name.
struct WalkedFolder {
  std::string path;  // relative to the root, '/'-separated; "" for the root
  std::vector<WalkedFile> files;
  std::vector<WalkedSymlink> symlinks;
  std::vector<std::string> subdirs;  // names
};

// "path/name", or "name" in the root.
std::string ChildPath(std::string_view folder, std::string_view name);

// The absolute path of the folder to import, symlinks in it resolved; an error names it.
Result<std::string> ResolveImportRoot(const std::string& root);

// Walks `root` (as ResolveImportRoot gives it) without following symlinks, handing every folder
// to `visit` on the calling thread: parents before their children, a level of the tree at a
// time, in path order within a level. Folders are read a few at once, and only a bounded number
// of listings are held at a time, so memory follows the number of folders, not of files.
// InvalidArgument names the path (escaped for display) of: a name that is not valid
// (archive/tree.h ValidateEntryName: invalid UTF-8, newlines, ...), a symlink target that is not
// valid, or a special file (fifo, socket, device), which cannot be imported. A folder that
// cannot be read gives its errno, naming it. An error from `visit` ends the walk.
Status WalkLocalFolders(const std::string& root,
                        const std::function<Status(WalkedFolder folder)>& visit);

// `path` with bytes that would garble a message (control characters, invalid UTF-8) written
// as \n, \t, \xNN.
std::string DisplayPath(std::string_view path);

FileStat StatFields(const struct stat& st);

}  // namespace mv::importer
