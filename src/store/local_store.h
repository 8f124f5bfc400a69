// LocalStore: an ObjectStore in a local folder (file:///path); key "a/b/c" is the file
// <root>/a/b/c, so the folder can be read with ordinary tools.
//
// Writes: the bytes go to a temporary file ".mvtmp-<random>" in the key's directory (created as
// needed), hashed on the way (expected_sha256 is verified before anything is renamed: on mismatch
// the temporary file is removed and Corruption names the key, the expected and the actual hash),
// fsync'd, then renamed onto the key — or, for if_absent, linked with renameat2(RENAME_NOREPLACE)
// (link(2) where that is unsupported), which never replaces — and the directory is fsync'd. No
// partially written object is ever visible under its key. A crash leaves at most a ".mvtmp-"
// file, which List, Get and Head never show; they are not removed automatically (a concurrent
// writer in another process may own one).
//
// Keys: a key with a segment that begins with ".mvtmp-" or ".mvmeta-", or that is ".mvdir", is
// InvalidArgument (reserved), and so is a segment longer than the filesystem allows (255 bytes
// on Linux). A key ending in '/' ("a/") is stored as the file <root>/a/.mvdir. Entries other
// than regular files and directories (symlinks, FIFOs) are not objects and are never listed.
//
// Metadata and content type are kept in the xattr "user.mirrorvault.meta" of the object's file,
// set before the rename (atomic with the content). Where the filesystem has no user xattrs
// (probed when the store is opened) they go to a sidecar file ".mvmeta-<name>" beside the object,
// renamed into place before the object (after it for if_absent); sidecar mode is therefore not
// atomic with respect to concurrent readers of the same key. Head reads either.
//
// Etag: "<size>-<mtime ns>-<inode>" in hex, from stat(2): cheap for big files, stable while the
// object is unchanged and different after every Put (a new file each time), even of the same
// bytes. A copy made by a hard link shares its source's etag until either is replaced.
//
// List walks directories and orders by full key, not by directory order ("a-b" < "a/b" < "a0"),
// with delimiter, start_after and max_keys as in object_store.h.
//
// Delete unlinks the file and removes directories left empty, up to (not including) the root; a
// Put racing into such a directory recreates it and retries.
//
// Copy hard-links the source when its metadata is kept (xattr mode; S3-like: no bytes move),
// else copies through a temporary file. Either way the version copied is the one open when the
// copy started.
//
// Filesystem limit: an object "a" and an object "a/b" cannot both exist ("a" would have to be a
// file and a directory). Putting one while the other exists is AlreadyExists naming both keys.
//
// Capabilities: conditional put true, batch delete false, server-side copy true. Thread-safe
// (and safe against other processes using the same root). PresignGet is InvalidArgument.
#pragma once

#include <memory>
#include <string>

#include "store/object_store.h"

namespace mv::store {

struct LocalStoreOptions {
  std::string root;    // a path, or a file:// URL; made absolute
  bool create = true;  // create the root (and its parents) when missing
  // Tests only: use sidecar files even where the filesystem has user xattrs.
  bool force_sidecar_metadata = false;
};

// NotFound naming the path when the root is missing and `create` is false; InvalidArgument when
// the root is not a directory; PermissionDenied or another errno-derived Status when it cannot be
// created or opened.
Result<std::shared_ptr<ObjectStore>> MakeLocalStore(const LocalStoreOptions& options);

}  // namespace mv::store
