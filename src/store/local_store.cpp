#include "store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include "store/list_builder.h"
#include "store/local_files.h"
#include "store/store_checks.h"
#include "util/hash.h"

namespace mv::store {
namespace {

using local::CommitResult;
using local::KeyPath;
using local::TempFile;

constexpr size_t kBufferSize = 1 << 20;

class LocalStore final : public ObjectStore {
 public:
  LocalStore(std::string root, bool sidecar) : root_(std::move(root)), sidecar_(sidecar) {}

  std::string Describe() const override { return "file://" + root_; }
  bool SupportsConditionalPut() override { return true; }
  bool SupportsBatchDelete() override { return false; }
  bool SupportsServerSideCopy() const override { return true; }

  bool SupportsStaging() const override { return true; }

  // The bytes go to an unnamed file (or, where the filesystem has none, a temporary file in the
  // root folder, hidden from listings by its name); Commit gives it the key's name.
  Result<std::unique_ptr<StagedPut>> Stage(Reader& reader) override {
    MV_ASSIGN_OR_RETURN(std::unique_ptr<StagedWriter> staged, StageWriter());
    std::unique_ptr<char[]> buf(new char[kBufferSize]);
    for (;;) {
      Result<size_t> n = reader.Read(buf.get(), kBufferSize);
      if (!n.ok()) return n.status().WithContext("staging a write in " + Describe());
      if (*n == 0) break;
      MV_RETURN_IF_ERROR(staged->Write(std::string_view(buf.get(), *n)));
    }
    return std::unique_ptr<StagedPut>(std::move(staged));
  }

  Result<std::unique_ptr<StagedWriter>> StageWriter() override {
    MV_ASSIGN_OR_RETURN(std::optional<TempFile> made, TempFile::CreateUnnamed(root_));
    if (!made) {
      MV_ASSIGN_OR_RETURN(TempFile named, TempFile::Create(root_));
      made.emplace(std::move(named));
    }
    return std::unique_ptr<StagedWriter>(new Staged(*this, std::move(*made)));
  }

  Status Sync() override {
    UniqueFd fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus(errno, "sync " + Describe());
    if (::syncfs(fd.get()) != 0) return ErrnoStatus(errno, "syncfs " + Describe());
    return Status::Ok();
  }

  Status Put(const std::string& key, Reader& reader, const PutOptions& options) override {
    MV_ASSIGN_OR_RETURN(KeyPath kp, local::MapKey(root_, key));
    MV_RETURN_IF_ERROR(CheckPutOptions(key, options));
    return Write(kp, key, reader, options).WithContext("put " + Where(key));
  }

  Status Get(const std::string& key, Writer& writer, const GetOptions& options) override {
    MV_ASSIGN_OR_RETURN(KeyPath kp, local::MapKey(root_, key));
    struct stat st {};
    MV_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(kp, key, "get", &st));
    MV_ASSIGN_OR_RETURN(ReadSpan span,
                        ResolveRange(key, options, static_cast<uint64_t>(st.st_size)));
    std::vector<char> buf(std::min<uint64_t>(kBufferSize, span.length));
    uint64_t done = 0;
    while (done < span.length) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), span.length - done));
      ssize_t n = ::pread(fd.get(), buf.data(), want, static_cast<off_t>(span.offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(errno, "get " + Where(key) + ": read " + kp.path);
      if (n == 0) return Corruption("get " + Where(key) + ": " + kp.path + " shrank while read");
      MV_RETURN_IF_ERROR(writer.Write(std::string_view(buf.data(), static_cast<size_t>(n))));
      done += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

  Result<ObjectInfo> Head(const std::string& key) override {
    MV_ASSIGN_OR_RETURN(KeyPath kp, local::MapKey(root_, key));
    struct stat st {};
    MV_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(kp, key, "head", &st));
    ObjectInfo info = local::InfoFromStat(key, st);
    MV_RETURN_IF_ERROR(ReadMetadata(kp, fd.get(), &info));
    return info;
  }

  Result<ListPage> List(const ListOptions& options) override {
    MV_RETURN_IF_ERROR(ListBuilder::Check(options));
    ListBuilder builder(options);
    MV_RETURN_IF_ERROR(local::WalkKeys(root_, options.prefix, builder));
    return std::move(builder).Finish();
  }

  Status Delete(const std::string& key) override {
    MV_ASSIGN_OR_RETURN(KeyPath kp, local::MapKey(root_, key));
    if (::unlink(kp.path.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return Status::Ok();
      return ErrnoStatus(errno, "delete " + Where(key) + ": unlink " + kp.path);
    }
    if (sidecar_ && ::unlink(SidecarPath(kp).c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "delete " + Where(key) + ": unlink " + SidecarPath(kp));
    }
    MV_RETURN_IF_ERROR(local::FsyncDir(kp.dir));
    local::PruneEmptyDirs(root_, kp.dir_rel);
    return Status::Ok();
  }

  Status Copy(const std::string& src_key, const std::string& dst_key,
              const PutOptions& options) override {
    MV_ASSIGN_OR_RETURN(KeyPath src, local::MapKey(root_, src_key));
    MV_ASSIGN_OR_RETURN(KeyPath dst, local::MapKey(root_, dst_key));
    MV_RETURN_IF_ERROR(CheckPutOptions(dst_key, options));
    struct stat st {};
    MV_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(src, src_key, "copy", &st));
    return CopyOpenFile(src, fd.get(), dst, dst_key, options)
        .WithContext("copy " + Where(src_key) + " to \"" + dst_key + "\"");
  }

 private:
  class Staged final : public StagedWriter {
   public:
    Staged(LocalStore& store, TempFile tmp)
        : store_(store), shown_(tmp.named() ? tmp.path() : "a staged file in " + store.root_) {
      tmp_.emplace(std::move(tmp));
    }
    Status Write(std::string_view data) override {
      if (!tmp_) return InvalidArgument("write to a staged write already committed");
      return WriteAll(tmp_->fd().get(), data, shown_);
    }
    Status Commit(const std::string& key, const PutOptions& options) override {
      if (!tmp_) return InvalidArgument("staged write committed twice");
      if (options.expected_sha256 || !options.metadata.empty() || !options.content_type.empty()) {
        return InvalidArgument("a staged write takes no expected_sha256, metadata or type");
      }
      MV_ASSIGN_OR_RETURN(KeyPath kp, local::MapKey(store_.root_, key));
      Status st = Place(kp, key, options).WithContext("put " + store_.Where(key));
      tmp_.reset();  // the temporary name, if one is left, goes
      MV_RETURN_IF_ERROR(st);
      if (!options.defer_sync) MV_RETURN_IF_ERROR(local::FsyncDir(kp.dir));
      return Status::Ok();
    }

   private:
    Status Place(const KeyPath& kp, const std::string& key, const PutOptions& options) {
      const std::string shown = tmp_->named() ? tmp_->path() : "the staged file of " + key;
      if (!options.defer_sync && ::fsync(tmp_->fd().get()) != 0) {
        return ErrnoStatus(errno, "fsync " + shown);
      }
      if (options.defer_sync && options.start_writeback) {
        // A head start for the disk only: Sync() is still what makes the bytes durable.
        ::sync_file_range(tmp_->fd().get(), 0, 0, SYNC_FILE_RANGE_WRITE);
      }
      if (!tmp_->named()) {
        // The common case, one linkat(2): the key is new and its folder exists.
        Result<CommitResult> linked = local::LinkUnnamed(*tmp_, kp.path);
        if (linked.status().IsNotFound()) {
          MV_RETURN_IF_ERROR(local::EnsureDirs(store_.root_, kp.dir_rel, key, !options.defer_sync));
          linked = local::LinkUnnamed(*tmp_, kp.path);
        }
        MV_RETURN_IF_ERROR(linked.status());
        if (*linked == CommitResult::kDone) return tmp_->fd().Close(shown);
        // Something stands at the key: name the file beside it and go the way of any put,
        // which replaces a file, or reports the key (if_absent) or a folder in the way. What it
        // replaces may be an object another writer already committed: the new bytes reach the
        // disk before the rename, even with defer_sync, or a crash could leave that object
        // empty on a filesystem that does not flush a file renamed over another (ext4 does).
        if (!options.if_absent && ::fsync(tmp_->fd().get()) != 0) {
          return ErrnoStatus(errno, "fsync " + shown);
        }
        std::string beside = kp.dir + "/" + local::RandomName(local::kTempPrefix);
        MV_ASSIGN_OR_RETURN(CommitResult named, local::LinkUnnamed(*tmp_, beside));
        if (named != CommitResult::kDone) return Unavailable("temporary name " + beside + " taken");
        MV_RETURN_IF_ERROR(tmp_->fd().Close(shown));
        tmp_.emplace(TempFile::Adopt(beside));
      }
      MV_RETURN_IF_ERROR(tmp_->fd().Close(tmp_->path()));
      Status st = store_.Install(*tmp_, kp, key, options.if_absent);
      if (st.IsNotFound()) {  // the key's folder does not exist yet
        MV_RETURN_IF_ERROR(local::EnsureDirs(store_.root_, kp.dir_rel, key, !options.defer_sync));
        st = store_.Install(*tmp_, kp, key, options.if_absent);
      }
      return st;
    }

    LocalStore& store_;
    std::string shown_;
    std::optional<TempFile> tmp_;  // removed on destruction unless installed
  };

  std::string Where(const std::string& key) const { return "file://" + root_ + "/" + key; }

  std::string SidecarPath(const KeyPath& kp) const {
    return kp.dir + "/" + std::string(local::kSidecarPrefix) + kp.name;
  }

  // Opens the object's file for reading; NotFound naming the key when there is none.
  Result<UniqueFd> OpenObject(const KeyPath& kp, const std::string& key, const char* op,
                              struct stat* st) const {
    UniqueFd fd(::open(kp.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));  // no FIFO hangs
    if (!fd.valid()) {
      if (errno == ENOENT || errno == ENOTDIR) return KeyNotFound(op + (" " + Where(key)), key);
      return ErrnoStatus(errno, std::string(op) + " " + Where(key) + ": open " + kp.path);
    }
    if (::fstat(fd.get(), st) != 0) return ErrnoStatus(errno, "stat " + kp.path);
    if (!S_ISREG(st->st_mode)) return KeyNotFound(op + (" " + Where(key)), key);
    return fd;
  }

  Status ReadMetadata(const KeyPath& kp, int fd, ObjectInfo* info) const {
    if (!sidecar_) return local::ReadMetadataXattr(fd, kp.path, info);
    std::string sidecar = SidecarPath(kp);
    Result<std::unique_ptr<Reader>> reader = OpenFileReader(sidecar);
    if (!reader.ok()) return reader.status().IsNotFound() ? Status::Ok() : reader.status();
    std::string value;
    auto writer = MakeStringWriter(&value);
    MV_RETURN_IF_ERROR(CopyStream(**reader, *writer).status());
    return local::DecodeMetadata(value, sidecar, info);
  }

  // A temporary file in the key's directory, creating the directory (again) as needed.
  // The directory usually exists (content-addressed stores reuse theirs), so the file is tried
  // first and the directories made only when it is missing.
  Result<TempFile> NewTemp(const KeyPath& kp, const std::string& key, bool sync) {
    for (int attempt = 0;; ++attempt) {
      Result<TempFile> tmp = TempFile::Create(kp.dir);
      if (tmp.ok() || attempt == 100) return tmp;
      // Makes the folders, or names the file that stands where a folder must be.
      MV_RETURN_IF_ERROR(local::EnsureDirs(root_, kp.dir_rel, key, sync));
      if (!tmp.status().IsNotFound() && attempt > 0) return tmp;
    }
  }

  // Copies the source open as `fd`: it pins the version that is hashed, linked or read.
  Status CopyOpenFile(const KeyPath& src, int fd, const KeyPath& dst, const std::string& dst_key,
                      const PutOptions& options) {
    std::string pinned = "/proc/self/fd/" + std::to_string(fd);
    if (options.expected_sha256) {
      MV_ASSIGN_OR_RETURN(Digests digests, HashFile(pinned));
      const std::string actual = DigestHex(digests.sha256);
      if (actual != *options.expected_sha256) {
        return Sha256Mismatch(dst_key, *options.expected_sha256, actual);
      }
    }
    bool keep_metadata = options.metadata.empty() && options.content_type.empty();
    if (keep_metadata && !sidecar_) {
      MV_ASSIGN_OR_RETURN(bool linked, CopyByLink(pinned, dst, dst_key, options.if_absent));
      if (linked) return Status::Ok();
    }
    PutOptions put = options;
    if (keep_metadata) {
      ObjectInfo info;
      MV_RETURN_IF_ERROR(ReadMetadata(src, fd, &info));
      put.metadata = std::move(info.metadata);
      put.content_type = std::move(info.content_type);
    }
    MV_ASSIGN_OR_RETURN(auto reader, OpenFileReader(pinned));
    return Write(dst, dst_key, *reader, put);
  }

  // Streams `reader` into a temporary file, verifies it and renames it onto the key.
  Status Write(const KeyPath& kp, const std::string& key, Reader& reader,
               const PutOptions& options) {
    std::string encoded;
    if (!options.metadata.empty() || !options.content_type.empty()) {
      encoded = local::EncodeMetadata(options.content_type, LowerCaseKeys(options.metadata));
    }
    MV_ASSIGN_OR_RETURN(TempFile made_tmp, NewTemp(kp, key, !options.defer_sync));
    std::optional<TempFile> tmp(std::move(made_tmp));
    Status st = Fill(*tmp, reader, options, encoded, key);
    std::optional<TempFile> sidecar;
    if (st.ok() && sidecar_ && !encoded.empty()) {
      Result<TempFile> made = TempFile::Create(kp.dir);
      if (made.ok()) {
        sidecar.emplace(std::move(made).value());
        st = WriteAll(sidecar->fd().get(), encoded, sidecar->path());
        if (st.ok() && !options.defer_sync && ::fsync(sidecar->fd().get()) != 0) {
          st = ErrnoStatus(errno, "fsync " + sidecar->path());
        }
        if (st.ok()) st = sidecar->fd().Close(sidecar->path());
      } else {
        st = made.status();
      }
    }
    if (st.ok() && sidecar_ && !options.if_absent) st = PlaceSidecar(kp, sidecar);
    if (st.ok()) st = Install(*tmp, kp, key, options.if_absent);
    if (st.ok() && sidecar_ && options.if_absent) st = PlaceSidecar(kp, sidecar);
    if (st.ok() && !options.defer_sync) st = local::FsyncDir(kp.dir);
    if (!st.ok()) {
      tmp.reset();  // removes the temporary files, then directories this Put left empty
      sidecar.reset();
      local::PruneEmptyDirs(root_, kp.dir_rel);
    }
    return st;
  }

  // Copies the bytes, checks the hash, attaches the metadata xattr, fsyncs and closes.
  Status Fill(TempFile& tmp, Reader& reader, const PutOptions& options, const std::string& encoded,
              const std::string& key) {
    Sha256Hasher hasher;  // only SHA-256 is checked: no SHA-1 pass
    // Not zero-filled: a put of a small object must not pay for clearing a 1 MiB buffer.
    std::unique_ptr<char[]> buf(new char[kBufferSize]);
    for (;;) {
      Result<size_t> n = reader.Read(buf.get(), kBufferSize);
      if (!n.ok()) return n.status().WithContext("reading the source");
      if (*n == 0) break;
      std::string_view chunk(buf.get(), *n);
      if (options.expected_sha256) hasher.Update(chunk);
      MV_RETURN_IF_ERROR(WriteAll(tmp.fd().get(), chunk, tmp.path()));
    }
    std::string actual = hasher.FinishHex();
    if (options.expected_sha256 && actual != *options.expected_sha256) {
      return Sha256Mismatch(key, *options.expected_sha256, actual);
    }
    if (!sidecar_ && !encoded.empty() &&
        ::fsetxattr(tmp.fd().get(), local::kMetaXattr, encoded.data(), encoded.size(), 0) != 0) {
      if (errno == E2BIG || errno == ENOSPC || errno == ERANGE) {
        return InvalidArgument("metadata too large (" + std::to_string(encoded.size()) +
                               " bytes encoded) for an xattr");
      }
      return ErrnoStatus(errno, "set metadata xattr on " + tmp.path());
    }
    if (!options.defer_sync && ::fsync(tmp.fd().get()) != 0) {
      return ErrnoStatus(errno, "fsync " + tmp.path());
    }
    return tmp.fd().Close(tmp.path());
  }

  // Sidecar mode: renames the new sidecar into place, or removes a stale one.
  Status PlaceSidecar(const KeyPath& kp, std::optional<TempFile>& sidecar) {
    std::string path = SidecarPath(kp);
    if (!sidecar) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return ErrnoStatus(errno, "unlink " + path);
      return Status::Ok();
    }
    if (::rename(sidecar->path().c_str(), path.c_str()) != 0) {
      return ErrnoStatus(errno, "rename " + sidecar->path() + " to " + path);
    }
    sidecar->Release();
    return Status::Ok();
  }

  // Renames (or, for if_absent, links without replacing) `tmp` onto the key's file.
  Status Install(TempFile& tmp, const KeyPath& kp, const std::string& key, bool if_absent) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      MV_ASSIGN_OR_RETURN(CommitResult result, local::Commit(tmp.path(), kp.path, if_absent));
      if (result == CommitResult::kDone) {
        tmp.Release();
        return Status::Ok();
      }
      if (result == CommitResult::kExists) return KeyExists(key);
      // A directory sits where the file goes: harmless when empty (a leftover), else a conflict.
      if (::rmdir(kp.path.c_str()) != 0) break;
    }
    return PrefixConflict(key);
  }

  Status PrefixConflict(const std::string& key) {
    std::string example;
    ListOptions below;
    below.prefix = key + "/";
    below.max_keys = 1;
    Result<ListPage> page = List(below);
    if (page.ok() && !page->objects.empty()) example = page->objects[0].key;
    if (page.ok() && !page->common_prefixes.empty()) example = page->common_prefixes[0];
    return AlreadyExists("key \"" + key + "\" cannot be stored because keys below it exist" +
                         (example.empty() ? std::string() : " (\"" + example + "\")") +
                         " (a local store cannot hold an object and keys below it); delete them "
                         "or choose another key");
  }

  // Copies by a hard link to the pinned source; false when the filesystem cannot link.
  Result<bool> CopyByLink(const std::string& pinned, const KeyPath& dst, const std::string& dst_key,
                          bool if_absent) {
    for (int attempt = 0;; ++attempt) {
      MV_RETURN_IF_ERROR(local::EnsureDirs(root_, dst.dir_rel, dst_key));
      std::string tmp_path = dst.dir + "/" + local::RandomName(local::kTempPrefix);
      if (::linkat(AT_FDCWD, pinned.c_str(), AT_FDCWD, tmp_path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        TempFile tmp = TempFile::Adopt(tmp_path);
        MV_RETURN_IF_ERROR(Install(tmp, dst, dst_key, if_absent));
        // rename(2) between two links of one file does nothing: the temporary link may remain.
        ::unlink(tmp_path.c_str());
        MV_RETURN_IF_ERROR(local::FsyncDir(dst.dir));
        return true;
      }
      int err = errno;
      struct stat st {};
      if (err == ENOENT && attempt < 100 && ::stat(dst.dir.c_str(), &st) != 0) continue;  // pruned
      // No link possible (filesystem, link count, or a source deleted since it was opened).
      if (err == EXDEV || err == EPERM || err == EMLINK || err == ENOTSUP || err == ENOENT) {
        return false;
      }
      return ErrnoStatus(err, "link " + tmp_path);
    }
  }

  std::string root_;
  bool sidecar_;
};

// xattrs are probed on a temporary file in the root; a read-only root is assumed to have them.
bool ProbeSidecar(const std::string& root) {
  Result<TempFile> probe = TempFile::Create(root);
  if (!probe.ok()) return false;
  return ::fsetxattr(probe->fd().get(), "user.mirrorvault.probe", "1", 1, 0) != 0 &&
         (errno == ENOTSUP || errno == EOPNOTSUPP);
}

}  // namespace

Result<std::shared_ptr<ObjectStore>> MakeLocalStore(const LocalStoreOptions& options) {
  std::string root = options.root;
  if (root.starts_with("file://")) root.erase(0, 7);
  if (root.empty()) return InvalidArgument("local store: empty root path");
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(root, ec);
  if (ec) return ErrnoStatus(ec.value(), "local store root " + root);
  root = abs.lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoStatus(errno, "local store root " + root);
    if (!options.create) {
      return NotFound("local store root " + root + " does not exist (create it first)");
    }
    std::filesystem::create_directories(root, ec);
    if (ec) return ErrnoStatus(ec.value(), "create local store root " + root);
  } else if (!S_ISDIR(st.st_mode)) {
    return InvalidArgument("local store root " + root + " is not a directory");
  }
  char resolved[PATH_MAX];
  if (::realpath(root.c_str(), resolved) == nullptr) {
    return ErrnoStatus(errno, "resolve local store root " + root);
  }
  root = resolved;
  bool sidecar = options.force_sidecar_metadata || ProbeSidecar(root);
  return std::shared_ptr<ObjectStore>(std::make_shared<LocalStore>(root, sidecar));
}

}  // namespace mv::store
