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
  Walker(LocalTree& out) : out_(out) {}

  // Walks the folder open as `fd` at relative path `rel` ("" for the root).
  Status Walk(int fd, const std::string& rel) {
    UniqueFd dir_fd(fd);
    DIR* dir = ::fdopendir(dir_fd.get());
    if (dir == nullptr) return ErrnoStatus(errno, "reading folder " + Where(rel));
    (void)dir_fd.Release();  // owned by `dir` now
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
    for (const std::string& name : names) {
      std::string path = rel.empty() ? name : rel + "/" + name;
      Status valid = archive::ValidateEntryName(name);
      if (!valid.ok()) {
        return InvalidArgument(Where(path) + ": this name cannot be imported: " +
                               valid.message() + "; rename or remove it");
      }
      struct stat st;
      if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoStatus(errno, Where(path));
      }
      if (S_ISREG(st.st_mode)) {
        FileStat fs = StatFields(st);
        out_.bytes += fs.size;
        out_.files.push_back({std::move(path), fs});
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : PATH_MAX) + 1, '\0');
        ssize_t n = ::readlinkat(::dirfd(dir), name.c_str(), target.data(), target.size());
        if (n < 0) return ErrnoStatus(errno, "reading symlink " + Where(path));
        target.resize(static_cast<size_t>(n));
        Status ok_target = archive::ValidateSymlinkTarget(target);
        if (!ok_target.ok()) {
          return InvalidArgument(Where(path) + ": symlink target '" + DisplayPath(target) +
                                 "' cannot be imported: " + ok_target.message());
        }
        out_.symlinks.push_back({std::move(path), std::move(target)});
      } else if (S_ISDIR(st.st_mode)) {
        int sub = ::openat(::dirfd(dir), name.c_str(),
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) return ErrnoStatus(errno, "opening folder " + Where(path));
        out_.dirs.push_back(path);
        MV_RETURN_IF_ERROR(Walk(sub, path));
      } else {
        return InvalidArgument(Where(path) + " is " + SpecialKind(st.st_mode) +
                               "; only regular files, folders and symlinks can be imported");
      }
    }
    return Status::Ok();
  }

  std::string Where(const std::string& rel) const {
    return DisplayPath(rel.empty() ? out_.root : out_.root + "/" + rel);
  }

 private:
  LocalTree& out_;
};

}  // namespace

Result<LocalTree> WalkLocalTree(const std::string& root) {
  LocalTree tree;
  char* real = ::realpath(root.c_str(), nullptr);
  if (real == nullptr) return ErrnoStatus(errno, "import folder " + DisplayPath(root));
  tree.root = real;
  std::free(real);
  int fd = ::open(tree.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "import folder " + DisplayPath(tree.root));
  Walker walker(tree);
  MV_RETURN_IF_ERROR(walker.Walk(fd, ""));
  return tree;
}

}  // namespace mv::importer
