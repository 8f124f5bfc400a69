// The local import's stat cache, one record per folder (archive::StatFolderRow): the folder's
// entries as the walk saw them, packed, so that a folder whose listing packs to the same bytes
// as at the last import (and whose subfolders are unchanged too) keeps its tree node without a
// file being read or a node encoded, and a changed folder's files whose stat fields are
// unchanged keep their hashes (taken from the folder's previous node).
//
// Packed listing, version 1: the byte 0x01, then every entry in the walk's order (files, then
// symlinks, then subfolders, each kind by name): a kind byte, the name (uvarint length, bytes),
// and by kind:
//   'f' a file, 'x' an executable file: size, mtime_ns, ctime_ns (zigzag), inode, device
//                                       (uvarints, util/varint.h);
//   'r' a file modified within the racy window before the import: nothing (it never matches,
//       so it is read again next time);
//   'l' a symlink: its target (uvarint length, bytes);
//   'd' a subfolder: nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "importer/local_walk.h"
#include "util/status.h"

namespace mv::importer {

// Packs `folder`; files whose mtime or ctime is at or after `racy_from_ns` are packed as 'r' and
// `*racy` (when given) is set.
std::string PackFolderListing(const WalkedFolder& folder, int64_t racy_from_ns,
                              bool* racy = nullptr);

// The files of a packed listing that may be matched ('f' and 'x'), by name. Corruption names
// `where` and the byte offset when the listing is not one PackFolderListing writes.
Result<std::unordered_map<std::string, FileStat>> UnpackListedFiles(std::string_view listing,
                                                                    std::string_view where);

}  // namespace mv::importer
