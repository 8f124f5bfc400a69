#include "store/local_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

namespace mv::store::local {

bool IsReservedName(std::string_view name) {
  return name.starts_with(kTempPrefix) || name.starts_with(kSidecarPrefix) || name == kDirKeyName;
}

Result<KeyPath> MapKey(const std::string& root, const std::string& key) {
  MV_RETURN_IF_ERROR(ValidateKey(key));
  size_t start = 0;
  while (start < key.size()) {
    size_t end = std::min(key.find('/', start), key.size());
    if (IsReservedName(std::string_view(key).substr(start, end - start))) {
      return InvalidArgument("invalid object key \"" + key + "\" for " + root +
                             ": segments beginning with \".mvtmp-\" or \".mvmeta-\", and "
                             "\".mvdir\", are reserved by the local store");
    }
    start = end + 1;
  }
  KeyPath kp;
  size_t slash = key.rfind('/');
  kp.dir_rel = slash == std::string::npos ? "" : key.substr(0, slash + 1);
  kp.name = slash == key.size() - 1 ? std::string(kDirKeyName) : key.substr(kp.dir_rel.size());
  kp.rel = kp.dir_rel + kp.name;
  kp.path = root + "/" + kp.rel;
  kp.dir = kp.dir_rel.empty() ? root : root + "/" + kp.dir_rel.substr(0, kp.dir_rel.size() - 1);
  return kp;
}

Status EnsureDirs(const std::string& root, const std::string& dir_rel, const std::string& key,
                  bool sync) {
  if (dir_rel.empty()) return Status::Ok();
  struct stat st {};
  std::string full = root + "/" + dir_rel;
  full.pop_back();  // the trailing '/'
  // Usually only the last folder is missing: one mkdir(2) then, instead of one per level (each
  // of which takes its parent's lock, however often the parent exists already).
  if (::mkdir(full.c_str(), 0755) == 0) {
    return sync ? FsyncDir(full.substr(0, full.rfind('/'))) : Status::Ok();
  }
  if (errno == EEXIST && ::stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::Ok();
  constexpr int kMaxAttempts = 100;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    bool vanished = false;
    std::string cur = root;
    size_t start = 0;
    while (start < dir_rel.size() && !vanished) {
      size_t end = dir_rel.find('/', start);
      std::string parent = cur;
      cur += "/" + dir_rel.substr(start, end - start);
      if (::mkdir(cur.c_str(), 0755) == 0) {
        if (sync) MV_RETURN_IF_ERROR(FsyncDir(parent));
      } else if (errno == EEXIST) {
        if (::stat(cur.c_str(), &st) != 0) {
          vanished = true;  // pruned between mkdir and stat
        } else if (!S_ISDIR(st.st_mode)) {
          std::string object = dir_rel.substr(0, end);
          return AlreadyExists("key \"" + key + "\" cannot be stored because key \"" + object +
                               "\" is an object (a local store cannot hold an object and keys "
                               "below it); delete one of them");
        }
      } else if (errno == ENOENT || errno == ENOTDIR) {
        vanished = true;  // a parent was pruned (or replaced) meanwhile: start again
      } else {
        return ErrnoStatus(errno, "create directory " + cur);
      }
      start = end + 1;
    }
    if (!vanished) return Status::Ok();
  }
  return Unavailable("create directory " + full + ": it kept disappearing (concurrent deletes)");
}

std::string RandomName(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
  return std::string(prefix) + suffix;
}

Result<TempFile> TempFile::Create(const std::string& dir) {
  for (;;) {
    std::string path = dir + "/" + RandomName(kTempPrefix);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.valid()) return TempFile(std::move(path), std::move(fd));
    if (errno == EEXIST) continue;
    return ErrnoStatus(errno, "create a temporary file in " + dir);
  }
}

Result<std::optional<TempFile>> TempFile::CreateUnnamed(const std::string& dir) {
  static const bool kHaveProc = ::access("/proc/self/fd", X_OK) == 0;
  if (!kHaveProc) return std::optional<TempFile>();
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
  if (fd.valid()) return std::optional<TempFile>(TempFile(std::string(), std::move(fd)));
  if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
    return std::optional<TempFile>();  // the filesystem has no O_TMPFILE
  }
  return ErrnoStatus(errno, "create an unnamed temporary file in " + dir);
}

TempFile::~TempFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // A directory pruned meanwhile by a concurrent Delete has nothing left to make durable.
  if (!fd.valid() && errno == ENOENT) return Status::Ok();
  if (!fd.valid()) return ErrnoStatus(errno, "open directory " + dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync directory " + dir);
  return fd.Close(dir);
}

namespace {

Result<CommitResult> ExistingTarget(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return CommitResult::kIsDirectory;
  return CommitResult::kExists;
}

}  // namespace

Result<CommitResult> Commit(const std::string& tmp, const std::string& path, bool no_replace) {
  if (!no_replace) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return CommitResult::kDone;
    if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) return CommitResult::kIsDirectory;
    return ErrnoStatus(errno, "rename " + tmp + " to " + path);
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) {
    return CommitResult::kDone;
  }
  if (errno == EEXIST) return ExistingTarget(path);
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
    return ErrnoStatus(errno, "rename (no replace) " + tmp + " to " + path);
  }
  // The filesystem has no RENAME_NOREPLACE: link(2) never replaces either.
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return ExistingTarget(path);
    return ErrnoStatus(errno, "link " + tmp + " to " + path);
  }
  ::unlink(tmp.c_str());
  return CommitResult::kDone;
}

Result<CommitResult> LinkUnnamed(TempFile& tmp, const std::string& path) {
  const std::string source = "/proc/self/fd/" + std::to_string(tmp.fd().get());
  if (::linkat(AT_FDCWD, source.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
    return CommitResult::kDone;
  }
  if (errno == EEXIST) return ExistingTarget(path);
  return ErrnoStatus(errno, "link an unnamed temporary file to " + path);
}

void PruneEmptyDirs(const std::string& root, std::string dir_rel) {
  while (!dir_rel.empty()) {
    dir_rel.pop_back();  // the trailing '/'
    if (::rmdir((root + "/" + dir_rel).c_str()) != 0) return;
    size_t slash = dir_rel.rfind('/');
    dir_rel.resize(slash == std::string::npos ? 0 : slash + 1);
  }
}

// The encoding: "mv1" then netstrings "<decimal length>:<bytes>," — the content type, then
// alternating metadata keys and values. Any byte may appear in a value.
std::string EncodeMetadata(const std::string& content_type,
                           const std::map<std::string, std::string>& metadata) {
  std::string out = "mv1";
  auto put = [&](const std::string& s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
    out += ',';
  };
  put(content_type);
  for (const auto& [name, value] : metadata) {
    put(name);
    put(value);
  }
  return out;
}

Status DecodeMetadata(std::string_view value, const std::string& where, ObjectInfo* info) {
  auto bad = [&] { return Corruption("unreadable metadata of " + where); };
  if (!value.starts_with("mv1")) return bad();
  value.remove_prefix(3);
  auto take = [&](std::string* out) {
    size_t colon = value.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 9) return false;
    size_t len = 0;
    for (char c : value.substr(0, colon)) {
      if (c < '0' || c > '9') return false;
      len = len * 10 + static_cast<size_t>(c - '0');
    }
    if (value.size() < colon + 1 + len + 1 || value[colon + 1 + len] != ',') return false;
    out->assign(value.substr(colon + 1, len));
    value.remove_prefix(colon + 1 + len + 1);
    return true;
  };
  if (!take(&info->content_type)) return bad();
  while (!value.empty()) {
    std::string name, v;
    if (!take(&name) || !take(&v)) return bad();
    info->metadata[std::move(name)] = std::move(v);
  }
  return Status::Ok();
}

Status ReadMetadataXattr(int fd, const std::string& path, ObjectInfo* info) {
  std::string value(4096, '\0');
  for (;;) {
    ssize_t n = ::fgetxattr(fd, kMetaXattr, value.data(), value.size());
    if (n >= 0) {
      value.resize(static_cast<size_t>(n));
      return DecodeMetadata(value, path, info);
    }
    if (errno == ENODATA || errno == ENOTSUP) return Status::Ok();
    if (errno != ERANGE) return ErrnoStatus(errno, "read metadata of " + path);
    ssize_t need = ::fgetxattr(fd, kMetaXattr, nullptr, 0);
    if (need < 0) return ErrnoStatus(errno, "read metadata of " + path);
    value.resize(static_cast<size_t>(need) + 1);
  }
}

ObjectInfo InfoFromStat(const std::string& key, const struct stat& st) {
  ObjectInfo info;
  info.key = key;
  info.size = static_cast<uint64_t>(st.st_size);
  auto mtime_ns = static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ULL +
                  static_cast<unsigned long long>(st.st_mtim.tv_nsec);
  char etag[64];
  std::snprintf(etag, sizeof etag, "%llx-%llx-%llx", static_cast<unsigned long long>(st.st_size),
                mtime_ns, static_cast<unsigned long long>(st.st_ino));
  info.etag = etag;
  info.last_modified = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  return info;
}

namespace {

struct Entry {
  std::string key;  // the object's key, or the subtree's key prefix ending in '/'
  std::string name;
  bool is_dir = false;
};

class Walker {
 public:
  Walker(const std::string& root, ListBuilder& builder) : root_(root), builder_(builder) {}

  // Walks the directory holding keys that begin with `dir_rel`.
  Status Walk(const std::string& dir_rel) {
    std::string dir = dir_rel.empty() ? root_ : root_ + "/" + dir_rel;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();  // none, or pruned meanwhile
      return ErrnoStatus(errno, "list directory " + dir);
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(d, ::closedir);
    std::vector<Entry> entries;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      bool is_dir = e->d_type == DT_DIR;
      bool is_file = e->d_type == DT_REG;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        is_dir = S_ISDIR(st.st_mode);
        is_file = S_ISREG(st.st_mode);
      }
      if (name == kDirKeyName && is_file && !dir_rel.empty()) {
        entries.push_back({dir_rel, std::string(name), false});
      } else if (!IsReservedName(name) && (is_dir || is_file)) {
        entries.push_back(
            {dir_rel + std::string(name) + (is_dir ? "/" : ""), std::string(name), is_dir});
      }
    }
    if (errno != 0) return ErrnoStatus(errno, "list directory " + dir);
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });
    for (const Entry& entry : entries) {
      if (entry.is_dir) {
        if (builder_.SkipsSubtree(entry.key)) continue;
        MV_RETURN_IF_ERROR(Walk(entry.key));
        if (stopped_) return Status::Ok();
        continue;
      }
      ListBuilder::Action action = builder_.Offer(entry.key);
      if (action == ListBuilder::Action::kStop) {
        stopped_ = true;
        return Status::Ok();
      }
      if (action != ListBuilder::Action::kTakeObject) continue;
      struct stat st {};
      if (::fstatat(::dirfd(d), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // deleted meanwhile
        return ErrnoStatus(errno, "stat " + dir + "/" + entry.name);
      }
      builder_.AddObject(InfoFromStat(entry.key, st));
    }
    return Status::Ok();
  }

 private:
  const std::string& root_;
  ListBuilder& builder_;
  bool stopped_ = false;
};

}  // namespace

Status WalkKeys(const std::string& root, const std::string& prefix, ListBuilder& builder) {
  size_t slash = prefix.rfind('/');
  std::string start = slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
  // A prefix naming a reserved directory ("x/.mvtmp-1/") holds no keys.
  for (size_t b = 0; b < start.size();) {
    size_t e = start.find('/', b);
    std::string_view seg = std::string_view(start).substr(b, e - b);
    if (seg.empty() || seg == "." || seg == ".." || IsReservedName(seg)) return Status::Ok();
    b = e + 1;
  }
  return Walker(root, builder).Walk(start);
}

}  // namespace mv::store::local
