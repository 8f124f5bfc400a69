#include "importer/local_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>

#include "archive/tree_builder.h"
#include "importer/local_walk.h"
#include "importer/run_builder.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/task_group.h"

namespace mv::importer {
namespace {

using archive::Sha1;
using archive::Sha256;

constexpr int kReadAttempts = 3;
constexpr size_t kReadBuffer = 1 << 20;

struct Hashed {
  Sha256 sha256{};
  Sha1 sha1{};
  FileStat stat;  // as read
};

// Reads an open file, feeding SHA-256 and SHA-1 with every byte that passes.
class HashingFileReader final : public Reader {
 public:
  HashingFileReader(int fd, const std::string& shown) : fd_(fd), shown_(shown) {}
  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return ErrnoStatus(errno, "reading " + shown_);
      hasher_.Update(std::string_view(buf, static_cast<size_t>(got)));
      total_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
  }
  uint64_t total() const { return total_; }
  Digests Finish() { return hasher_.Finish(); }

 private:
  int fd_;
  const std::string& shown_;
  ContentHasher hasher_;
  uint64_t total_ = 0;
};

struct ReadFile {
  Hashed hashed;
  std::unique_ptr<store::StagedPut> staged;  // the bytes, already in the store unnamed
};

// Reads the file once, feeding SHA-256 and SHA-1 and, when `stage_in` is given, staging the bytes
// in that store at the same time (one read for hashing and upload). Detects a file that changes
// while it is read, and reads it again (up to kReadAttempts times).
Result<ReadFile> ReadOne(const std::string& abs, const std::string& shown,
                         store::ObjectStore* stage_in, std::string& buffer) {
  for (int attempt = 1;; ++attempt) {
    UniqueFd fd(::open(abs.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus(errno, "reading " + shown);
    struct stat before;
    if (::fstat(fd.get(), &before) != 0) return ErrnoStatus(errno, "reading " + shown);
    if (!S_ISREG(before.st_mode)) {
      return InvalidArgument(shown + " stopped being a regular file during the import");
    }
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    HashingFileReader reader(fd.get(), shown);
    ReadFile out;
    if (stage_in != nullptr) {
      MV_ASSIGN_OR_RETURN(out.staged, stage_in->Stage(reader));
    } else {
      for (;;) {
        MV_ASSIGN_OR_RETURN(size_t n, reader.Read(buffer.data(), buffer.size()));
        if (n == 0) break;
      }
    }
    struct stat after;
    if (::fstat(fd.get(), &after) != 0) return ErrnoStatus(errno, "reading " + shown);
    FileStat b = StatFields(before);
    FileStat a = StatFields(after);
    if (a == b && reader.total() == a.size) {
      Digests d = reader.Finish();
      out.hashed.sha256 = d.sha256;
      out.hashed.sha1 = d.sha1;
      out.hashed.stat = a;
      return out;
    }
    if (attempt == kReadAttempts) {
      return Unavailable(shown + " changed while it was being read (" +
                         std::to_string(kReadAttempts) +
                         " attempts); is something still writing to the mirror? Import it once "
                         "the mirror update has finished");
    }
  }
}

}  // namespace

Result<ImportSummary> ImportLocalTree(std::shared_ptr<store::ObjectStore> store,
                                      archive::Catalog& catalog,
                                      const LocalImportOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  const auto started_steady = clock.SteadyNow();
  const auto started = clock.Now();
  const int64_t started_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch()).count();
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t concurrency =
      options.concurrency > 0 ? options.concurrency : std::max<size_t>(16, 2 * cores);

  // Names and kinds are checked before anything is written.
  MV_ASSIGN_OR_RETURN(LocalTree tree, WalkLocalTree(options.dir));
  const auto walk_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - started_steady);

  RunBuilderOptions run_options = RunBuilderOptionsOf(options);
  run_options.started = started;
  run_options.commit_concurrency = concurrency;
  run_options.phases_name = "import";
  MV_ASSIGN_OR_RETURN(std::unique_ptr<RunBuilder> run,
                      RunBuilder::Start(store, catalog, run_options));
  run->AddPhase("walk", walk_ms);

  // The stat cache of the archive's last import.
  std::unordered_map<std::string, archive::StatCacheRow> cache;
  if (options.use_stat_cache) {
    MV_ASSIGN_OR_RETURN(std::vector<archive::StatCacheRow> rows,
                        catalog.LoadStatCache(options.archive));
    cache.reserve(rows.size());
    for (archive::StatCacheRow& r : rows) {
      std::string path = r.path;
      cache.emplace(std::move(path), std::move(r));
    }
  }
  run->Phase("lock_and_stat_cache");  // format, lock, recovery, stat cache
  if (options.progress != nullptr) options.progress->SetTotals(tree.bytes, tree.files.size());

  // Hash what changed, upload what the store lacks; every content handled once.
  std::vector<Hashed> hashed(tree.files.size());
  std::vector<uint8_t> from_cache(tree.files.size(), 0);  // not vector<bool>: written in parallel
  std::atomic<uint64_t> files_read{0}, bytes_read{0};

  // Blobs are written in one pass (hashed while staged) where the store can name an object after
  // writing it; elsewhere (S3) a file is hashed first and uploaded when the catalog lacks it.
  store::ObjectStore* const stage_in = store->SupportsStaging() ? store.get() : nullptr;
  auto handle_content = [&](const Hashed& h, const std::string& abs, const std::string& shown,
                            std::unique_ptr<store::StagedPut> staged) -> Status {
    return run->EnsureStored(h.sha256, h.sha1, h.stat.size, [&]() -> Status {
      // Durable at the commit point: the builder syncs the store before the record is written.
      Status put = staged ? staged->Commit(archive::BlobKey(h.sha256), {.defer_sync = true})
                          : store->PutFile(
                                archive::BlobKey(h.sha256), abs,
                                {.expected_sha256 = archive::ToHex(h.sha256), .defer_sync = true});
      if (put.code() == StatusCode::kCorruption) {
        put = Unavailable(shown +
                          " changed between hashing and upload; import again once the "
                          "mirror update has finished");
      }
      return put;
    });
  };

  // Files the stat cache vouches for are settled here, without reading them; only the others go
  // to the parallel readers. A cached content was committed by an earlier run, so the catalog
  // knows it (unless this run is back-dated: then its first sighting may move here).
  std::vector<size_t> to_read;
  uint64_t cached_bytes = 0;
  for (size_t i = 0; i < tree.files.size(); ++i) {
    const WalkedFile& f = tree.files[i];
    auto it = cache.find(f.path);
    if (it != cache.end()) {
      const archive::StatCacheRow& c = it->second;
      if (c.size == f.stat.size && c.mtime_ns == f.stat.mtime_ns && c.ctime_ns == f.stat.ctime_ns &&
          c.inode == f.stat.inode && c.device == f.stat.device) {
        hashed[i] = {c.sha256, c.sha1, f.stat};
        from_cache[i] = 1;
        cached_bytes += f.stat.size;
        continue;
      }
    }
    to_read.push_back(i);
  }
  if (options.progress != nullptr) {
    options.progress->Add(cached_bytes, tree.files.size() - to_read.size());
  }
  if (run->start().back_dated) {
    for (size_t i = 0; i < tree.files.size(); ++i) {
      if (from_cache[i] == 0) continue;
      const std::string abs = tree.root + "/" + tree.files[i].path;
      MV_RETURN_IF_ERROR(handle_content(hashed[i], abs, DisplayPath(abs), nullptr));
    }
  }

  // Each file is hashed and, when new, uploaded by the same task, so reading and writing overlap.
  // Uploads go in the tree's (random, in hash terms) order: content order would send every
  // thread into the same blobs/<h0h1>/<h2h3>/ folder at once, where creates serialise on the
  // folder's lock.
  Status work =
      ParallelFor(to_read.size(),
                  [&](size_t k) -> Status {
                    const size_t i = to_read[k];
                    thread_local std::string buffer;
                    if (buffer.size() != kReadBuffer) buffer.resize(kReadBuffer);
                    const std::string abs = tree.root + "/" + tree.files[i].path;
                    const std::string shown = DisplayPath(abs);
                    MV_ASSIGN_OR_RETURN(ReadFile read, ReadOne(abs, shown, stage_in, buffer));
                    hashed[i] = read.hashed;
                    files_read += 1;
                    bytes_read += hashed[i].stat.size;
                    if (options.progress != nullptr) options.progress->Add(hashed[i].stat.size, 1);
                    return handle_content(hashed[i], abs, shown, std::move(read.staged));
                  },
                  {.max_in_flight = concurrency});
  MV_RETURN_IF_ERROR(
      work.WithContext("import of " + DisplayPath(tree.root) + " into " + run->RunName()));

  // The disk flushes the new blobs while the tree is built and its nodes written.
  run->SyncBlobs();
  run->Phase("read_and_upload");
  // The tree, as read.
  archive::TreeBuilder builder;
  for (const std::string& d : tree.dirs) MV_RETURN_IF_ERROR(builder.AddDirectory(d));
  for (size_t i = 0; i < tree.files.size(); ++i) {
    const Hashed& h = hashed[i];
    MV_RETURN_IF_ERROR(builder.Add(tree.files[i].path, {.type = archive::EntryType::kFile,
                                                        .executable = h.stat.executable,
                                                        .size = h.stat.size,
                                                        .hash = h.sha256,
                                                        .sha1 = h.sha1}));
  }
  for (const WalkedSymlink& l : tree.symlinks) {
    MV_RETURN_IF_ERROR(
        builder.Add(l.path, {.type = archive::EntryType::kSymlink, .target = l.target}));
  }
  MV_ASSIGN_OR_RETURN(archive::BuiltTree built, builder.Build());

  // The stat cache as of this import: changed rows written, vanished paths deleted.
  std::optional<archive::StatCacheDelta> stat_cache;
  if (options.use_stat_cache) {
    archive::StatCacheDelta delta;
    for (size_t i = 0; i < tree.files.size(); ++i) {
      const WalkedFile& f = tree.files[i];
      const FileStat& s = hashed[i].stat;
      auto it = cache.find(f.path);
      const int64_t racy_ns = options.racy_window.count();
      const bool racy = s.mtime_ns >= started_ns - racy_ns || s.ctime_ns >= started_ns - racy_ns;
      if (racy) continue;  // stays out of the cache (or keeps a row that will not match)
      archive::StatCacheRow row{.path = f.path,
                                .size = s.size,
                                .mtime_ns = s.mtime_ns,
                                .ctime_ns = s.ctime_ns,
                                .inode = s.inode,
                                .device = s.device,
                                .sha256 = hashed[i].sha256,
                                .sha1 = hashed[i].sha1};
      if (it == cache.end() || !(it->second == row)) delta.upserts.push_back(std::move(row));
      if (it != cache.end()) it->second.path.clear();  // seen
    }
    for (const auto& [path, row] : cache) {
      if (!row.path.empty()) delta.deletes.push_back(path);
    }
    stat_cache = std::move(delta);
  }
  size_t nodes = 0;
  for (const auto& level : built.levels) nodes += level.size();
  run->Phase("build_tree");

  ImportSummary summary;
  MV_ASSIGN_OR_RETURN(
      summary.record,
      run->Commit(std::move(built), {.kind = "local", .location = tree.root, .details = {}},
                  std::move(stat_cache)));
  summary.files_read = files_read.load();
  summary.bytes_read = bytes_read.load();
  summary.files_stat_cached =
      static_cast<uint64_t>(std::count(from_cache.begin(), from_cache.end(), uint8_t{1}));
  summary.symlinks = tree.symlinks.size();
  summary.dirs = tree.dirs.size();
  summary.nodes_written = nodes;
  summary.elapsed = clock.SteadyNow() - started_steady;
  MV_ASSIGN_OR_RETURN(summary.package_index, run->Finish());
  return summary;
}

}  // namespace mv::importer
