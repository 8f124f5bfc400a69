// The local import's stat cache, one record per folder (archive::StatFolderRow): the folder's
// entries as the walk saw them, packed, so that a folder whose listing packs to the same bytes
// as at the last import (and whose subfolders are unchanged too) keeps its tree node without a
// file being read or a node encoded, and a changed folder's files whose stat fields are
// unchanged keep their hashes (taken from the folder's previous node).
//
// Packed listing, version 2: the byte 0x02, then every entry in the walk's order (files, then
// symlinks, then subfolders, each kind by name): a kind byte, the name front-coded against the
// previous entry's (uvarint length of the shared prefix, then the rest: uvarint length, bytes),
// and by kind (uvarints, util/varint.h; "zigzag delta" is the zigzag of a difference modulo 2^64):
//   'f' a file, 'x' an executable file: size; mtime_ns as a zigzag delta from the previous
//                                       file's (0 for the first); ctime_ns from this file's
//                                       mtime_ns; inode and device from the previous file's;
//   'r' a file modified within the racy window before the import: nothing (it never matches,
//       so it is read again next time);
//   'l' a symlink: its target (uvarint length, bytes);
//   'd' a subfolder: nothing.
// Files written together have nearby times and inodes and share name prefixes, so a file of a
// Debian pool folder packs to about 25 bytes instead of about 65 (issue 19). Version 1 (0x01:
// whole names, times as zigzag values, inode and device as values) is still read.
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
