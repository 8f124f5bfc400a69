#include "importer/local_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "archive/tree.h"
#include "util/encoding.h"
#include "util/io.h"
#include "util/task_group.h"

namespace mv::importer {

std::string DisplayPath(std::string_view path) {
  if (IsValidUtf8(path)) {
    bool plain = true;
    for (unsigned char c : path) plain = plain && c >= 0x20 && c != 0x7f;
    if (plain) return std::string(path);
  }
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x" + HexEncode(std::string(1, static_cast<char>(c)));
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // Keep a well-formed UTF-8 sequence as it is, escape stray bytes.
      size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      if (len > 1 && i + len <= path.size() && IsValidUtf8(path.substr(i, len))) {
        out += path.substr(i, len);
        i += len;
        continue;
      }
      out += "\\x" + HexEncode(std::string(1, static_cast<char>(c)));
    }
    ++i;
  }
  return out;
}

FileStat StatFields(const struct stat& st) {
  return {.size = static_cast<uint64_t>(st.st_size),
          .mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          .ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec,
          .inode = static_cast<uint64_t>(st.st_ino),
          .device = static_cast<uint64_t>(st.st_dev),
          .executable = (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0};
}

namespace {

const char* SpecialKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a fifo (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "of an unknown kind";
}

class Walker {
 public:
  Walker(const std::string& root, int root_fd) : root_(root), root_fd_(root_fd) {}

  // Lists the folder at relative path `out.path` ("" for the root) into `out`.
  Status ReadDir(WalkedFolder& out) const {
    const std::string& rel = out.path;
    int fd = ::openat(root_fd_, rel.empty() ? "." : rel.c_str(),
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "opening folder " + Where(rel));
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "reading folder " + Where(rel));
    }
    struct Closer {
      DIR* d;
      ~Closer() { ::closedir(d); }
    } closer{dir};
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    if (errno != 0) return ErrnoStatus(errno, "reading folder " + Where(rel));
    std::sort(names.begin(), names.end());
    for (std::string& name : names) {
      Status valid = archive::ValidateEntryName(name);
      if (!valid.ok()) {
        return InvalidArgument(Where(ChildPath(rel, name)) + ": this name cannot be imported: " +
                               valid.message() + "; rename or remove it");
      }
      struct stat st;
      if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoStatus(errno, Where(ChildPath(rel, name)));
      }
      if (S_ISREG(st.st_mode)) {
        out.files.push_back({std::move(name), StatFields(st)});
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : PATH_MAX) + 1, '\0');
        ssize_t n = ::readlinkat(::dirfd(dir), name.c_str(), target.data(), target.size());
        if (n < 0) return ErrnoStatus(errno, "reading symlink " + Where(ChildPath(rel, name)));
        target.resize(static_cast<size_t>(n));
        Status ok_target = archive::ValidateSymlinkTarget(target);
        if (!ok_target.ok()) {
          return InvalidArgument(Where(ChildPath(rel, name)) + ": symlink target '" +
                                 DisplayPath(target) +
                                 "' cannot be imported: " + ok_target.message());
        }
        out.symlinks.push_back({std::move(name), std::move(target)});
      } else if (S_ISDIR(st.st_mode)) {
        out.subdirs.push_back(std::move(name));
      } else {
        return InvalidArgument(Where(ChildPath(rel, name)) + " is " + SpecialKind(st.st_mode) +
                               "; only regular files, folders and symlinks can be imported");
      }
    }
    return Status::Ok();
  }

  std::string Where(const std::string& rel) const {
    return DisplayPath(rel.empty() ? root_ : root_ + "/" + rel);
  }

 private:
  const std::string& root_;
  const int root_fd_;
};

// Folders read at once: readdir and stat are cheap system calls, and a few threads keep them
// going while others wait on the disk.
constexpr size_t kWalkThreads = 4;
// Listings held at once (read in parallel, then visited).
constexpr size_t kWalkBatch = 256;

}  // namespace

std::string ChildPath(std::string_view folder, std::string_view name) {
  std::string out;
  out.reserve(folder.size() + 1 + name.size());
  out += folder;
  if (!folder.empty()) out += '/';
  out += name;
  return out;
}

Result<std::string> ResolveImportRoot(const std::string& root) {
  char* real = ::realpath(root.c_str(), nullptr);
  if (real == nullptr) return ErrnoStatus(errno, "import folder " + DisplayPath(root));
  std::string resolved = real;
  std::free(real);
  return resolved;
}

Status WalkLocalFolders(const std::string& root,
                        const std::function<Status(WalkedFolder folder)>& visit) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "import folder " + DisplayPath(root));
  UniqueFd root_fd(fd);
  Walker walker(root, root_fd.get());
  // Breadth-first: a level's folders in batches read in parallel, visited in order.
  std::vector<std::string> level = {""};
  while (!level.empty()) {
    std::vector<std::string> next;
    for (size_t begin = 0; begin < level.size(); begin += kWalkBatch) {
      const size_t n = std::min(kWalkBatch, level.size() - begin);
      std::vector<WalkedFolder> batch(n);
      for (size_t i = 0; i < n; ++i) batch[i].path = std::move(level[begin + i]);
      MV_RETURN_IF_ERROR(ParallelFor(n, [&](size_t i) { return walker.ReadDir(batch[i]); },
                                     {.max_in_flight = kWalkThreads}));
      for (WalkedFolder& folder : batch) {
        for (const std::string& sub : folder.subdirs) next.push_back(ChildPath(folder.path, sub));
        MV_RETURN_IF_ERROR(visit(std::move(folder)));
      }
    }
    level = std::move(next);
  }
  return Status::Ok();
}

}  // namespace mv::importer
