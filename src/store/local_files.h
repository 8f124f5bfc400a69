// The filesystem primitives of LocalStore (local_store.h): key-to-path mapping, temporary files,
// directory creation and pruning, durable renames, the metadata encoding and the ordered walk.
// Internal to src/store; every function is thread-safe (no shared state).
#pragma once

#include <sys/stat.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/list_builder.h"
#include "store/object_store.h"
#include "util/io.h"

namespace mv::store::local {

inline constexpr std::string_view kTempPrefix = ".mvtmp-";
inline constexpr std::string_view kSidecarPrefix = ".mvmeta-";
inline constexpr std::string_view kDirKeyName = ".mvdir";  // the file of a key ending in '/'
inline constexpr const char* kMetaXattr = "user.mirrorvault.meta";

// True for names the store uses itself (never a key segment, never listed).
bool IsReservedName(std::string_view name);

// Where a key lives under the root. For "a/b": rel "a/b", dir_rel "a/", name "b"; for "a/":
// rel "a/.mvdir", dir_rel "a/", name ".mvdir".
struct KeyPath {
  std::string rel;      // relative to the root
  std::string dir_rel;  // the key's directory relative to the root, ending in '/' ("" = root)
  std::string name;     // file name within dir_rel
  std::string path;     // absolute file path
  std::string dir;      // absolute directory path
};
// ValidateKey plus the reserved-name rule; InvalidArgument naming the key.
Result<KeyPath> MapKey(const std::string& root, const std::string& key);

// Creates `dir_rel` and its parents under `root` (fsyncing each new directory's parent unless
// `sync` is false). When a component exists as a file, AlreadyExists names the key of that file
// and `key`. Retries when a concurrent Delete prunes a directory while it is being created.
Status EnsureDirs(const std::string& root, const std::string& dir_rel, const std::string& key,
                  bool sync = true);

// A new, empty temporary file in `dir`, removed on destruction unless Release()d; or an unnamed
// one (O_TMPFILE), which has nothing to remove.
class TempFile {
 public:
  // NotFound (retry after EnsureDirs) when `dir` vanished; other errors name the directory.
  static Result<TempFile> Create(const std::string& dir);
  // An unnamed file on `dir`'s filesystem: making it adds no entry to `dir` (so parallel writers
  // do not queue on the folder's lock) and a crash leaves nothing behind. None when the
  // filesystem cannot make one, or /proc is missing so that LinkUnnamed could not name it.
  static Result<std::optional<TempFile>> CreateUnnamed(const std::string& dir);
  // Takes over removing a file created otherwise (e.g. by link(2)); fd() is invalid.
  static TempFile Adopt(std::string path) { return TempFile(std::move(path), UniqueFd()); }
  TempFile(TempFile&& other) noexcept
      : path_(std::exchange(other.path_, {})), fd_(std::move(other.fd_)) {}
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  const std::string& path() const { return path_; }  // empty for an unnamed file
  bool named() const { return !path_.empty(); }
  UniqueFd& fd() { return fd_; }
  // Forgets the path (it was renamed or linked away).
  void Release() { path_.clear(); }

 private:
  TempFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
};

// A random name "<prefix><16 hex digits>".
std::string RandomName(std::string_view prefix);

// fsync(2) of a directory, so renames and unlinks in it survive a crash. OK when it is gone.
Status FsyncDir(const std::string& dir);

// How Commit ended: done, the target exists (if_absent), or the target is a directory.
enum class CommitResult { kDone, kExists, kIsDirectory };
// Renames `tmp` onto `path`; with `no_replace`, atomically only when `path` does not exist
// (renameat2 RENAME_NOREPLACE, else link(2) + unlink). Does not fsync.
Result<CommitResult> Commit(const std::string& tmp, const std::string& path, bool no_replace);

// Gives an unnamed TempFile the name `path` (linkat(2) through /proc/self/fd), never replacing:
// kExists or kIsDirectory when something is there already; NotFound when the folder is missing.
// Does not fsync.
Result<CommitResult> LinkUnnamed(TempFile& tmp, const std::string& path);

// Removes `dir_rel` and its parents while they are empty, never the root.
void PruneEmptyDirs(const std::string& root, std::string dir_rel);

// Metadata and content type as one xattr / sidecar value, and back (Corruption naming `where`).
std::string EncodeMetadata(const std::string& content_type,
                           const std::map<std::string, std::string>& metadata);
Status DecodeMetadata(std::string_view value, const std::string& where, ObjectInfo* info);

// Reads the xattr of an open file into `info` (none: left empty).
Status ReadMetadataXattr(int fd, const std::string& path, ObjectInfo* info);

// size, etag and last_modified from stat(2).
ObjectInfo InfoFromStat(const std::string& key, const struct stat& st);

// Offers every key under `root` to `builder` in byte order (ListBuilder's protocol), starting at
// the deepest directory the builder's prefix names.
Status WalkKeys(const std::string& root, const std::string& prefix, ListBuilder& builder);

}  // namespace mv::store::local
