#include "importer/local_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "archive/commit.h"
#include "archive/recovery.h"
#include "archive/tree_builder.h"
#include "archive/tree_fetch.h"
#include "archive/writer_lock.h"
#include "importer/local_walk.h"
#include "importer/run_start.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/log.h"
#include "util/task_group.h"
#include "util/time_format.h"

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
      MV_ASSIGN_OR_RETURN(out.hashed.sha256, archive::ParseSha256(d.sha256));
      MV_ASSIGN_OR_RETURN(out.hashed.sha1, archive::ParseSha1(d.sha1));
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

// What the catalog knows of a content, shared by all files with it.
struct ContentState {
  std::once_flag once;
  Status status;
  bool known = false;         // in the catalog: in the store since a committed run
  bool uploaded = false;      // uploaded by this import
  bool earlier_here = false;  // known, but first seen after this run: move its first sighting
};

struct ShaHash {
  size_t operator()(const Sha256& s) const { return archive::IdHasher{}(s); }
};

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
  const size_t concurrency = options.concurrency > 0 ? options.concurrency : std::max<size_t>(16, 2 * cores);

  auto ms_since = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - t);
  };
  // Names and kinds are checked before anything is written.
  MV_ASSIGN_OR_RETURN(LocalTree tree, WalkLocalTree(options.dir));
  const auto walk_ms = ms_since(started_steady);
  const auto cache_started = clock.SteadyNow();  // format, lock, recovery, stat cache

  MV_ASSIGN_OR_RETURN(RunStart start, StartRun(*store, catalog,
                                                {.archive = options.archive,
                                                 .run_id = options.run_id,
                                                 .started = started,
                                                 .writer = options.writer,
                                                 .lock_wait = options.lock_wait,
                                                 .clock = &clock}));
  const RunId run_id = start.run_id;
  const bool back_dated = start.back_dated;
  const std::string& writer = start.writer;
  archive::WriterLock& lock = *start.lock;
  const std::optional<archive::RunRow>& parent = start.parent;

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

  const auto cache_ms = ms_since(cache_started);
  if (options.progress != nullptr) options.progress->SetTotals(tree.bytes, tree.files.size());
  const auto read_started = clock.SteadyNow();

  // Hash what changed, upload what the store lacks; every content handled once.
  std::vector<Hashed> hashed(tree.files.size());
  std::vector<uint8_t> from_cache(tree.files.size(), 0);  // not vector<bool>: written in parallel
  std::mutex contents_mu;
  std::unordered_map<Sha256, std::unique_ptr<ContentState>, ShaHash> contents;
  std::atomic<uint64_t> files_read{0}, bytes_read{0}, new_files{0}, new_bytes{0};
  const std::string run_key_name = options.archive + "@" + run_id.ToString();

  // Blobs are written in one pass (hashed while staged) where the store can name an object after
  // writing it; elsewhere (S3) a file is hashed first and uploaded when the catalog lacks it.
  store::ObjectStore* const stage_in = store->SupportsStaging() ? store.get() : nullptr;
  auto handle_content = [&](const Hashed& h, const std::string& abs, const std::string& shown,
                            std::unique_ptr<store::StagedPut> staged) -> Status {
    ContentState* state;
    {
      std::lock_guard lock_guard(contents_mu);
      auto& slot = contents[h.sha256];
      if (!slot) slot = std::make_unique<ContentState>();
      state = slot.get();
    }
    std::call_once(state->once, [&] {
      Result<std::optional<archive::FileIdentity>> found = catalog.FileBySha256(h.sha256);
      if (!found.ok()) {
        state->status = found.status();
        return;
      }
      if (*found) {
        state->known = true;
        const archive::FileIdentity& f = **found;
        state->earlier_here = std::tie(run_id, options.archive) < std::tie(f.first_run, f.first_archive);
        return;
      }
      // Durable at the commit point: CommitRun syncs the store before writing the record.
      Status put =
          staged ? staged->Commit(archive::BlobKey(h.sha256), {.defer_sync = true})
                 : store->PutFile(archive::BlobKey(h.sha256), abs,
                                  {.expected_sha256 = archive::ToHex(h.sha256),
                                   .defer_sync = true});
      if (put.code() == StatusCode::kCorruption) {
        put = Unavailable(shown + " changed between hashing and upload; import again once the "
                          "mirror update has finished");
      }
      state->status = put;
      if (put.ok()) {
        state->uploaded = true;
        new_files += 1;
        new_bytes += h.stat.size;
      }
    });
    return state->status;
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
      if (c.size == f.stat.size && c.mtime_ns == f.stat.mtime_ns &&
          c.ctime_ns == f.stat.ctime_ns && c.inode == f.stat.inode &&
          c.device == f.stat.device) {
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
  if (back_dated) {
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
  Status work = ParallelFor(
      to_read.size(),
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
  MV_RETURN_IF_ERROR(work.WithContext("import of " + DisplayPath(tree.root) + " into " +
                                      run_key_name));

  // The disk flushes the new blobs while the tree is built and its nodes written.
  std::future<Status> blobs_sync;
  if (new_files.load() > 0) {
    blobs_sync = std::async(std::launch::async, [&store] { return store->Sync(); });
  }
  const auto read_ms = ms_since(read_started);
  const auto build_started = clock.SteadyNow();
  // The tree, as read.
  archive::TreeBuilder builder;
  for (const std::string& d : tree.dirs) MV_RETURN_IF_ERROR(builder.AddDirectory(d));
  for (size_t i = 0; i < tree.files.size(); ++i) {
    const Hashed& h = hashed[i];
    MV_RETURN_IF_ERROR(builder.Add(tree.files[i].path,
                                   {.type = archive::EntryType::kFile,
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

  // File identities to record: new contents, and contents first seen after this run.
  archive::CommitInput input;
  {
    std::unordered_map<Sha256, bool, ShaHash> recorded;
    for (const archive::BuiltTree::File& f : built.files_in_order) {
      auto found = contents.find(f.entry.hash);
      if (found == contents.end()) continue;  // vouched for by the stat cache: known
      const ContentState& state = *found->second;
      if (!state.uploaded && !state.earlier_here) continue;
      if (!recorded.emplace(f.entry.hash, true).second) continue;
      input.files.push_back({.sha256 = f.entry.hash,
                             .sha1 = f.entry.sha1,
                             .size = f.entry.size,
                             .first_archive = options.archive,
                             .first_run = run_id,
                             .first_path = f.path});
    }
  }
  // The stat cache as of this import: changed rows written, vanished paths deleted.
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
    input.stat_cache = std::move(delta);
  }

  input.record.archive = options.archive;
  input.record.run_id = run_id;
  if (parent) input.record.parent = parent->run_id;
  input.record.new_files = new_files.load();
  input.record.new_bytes = new_bytes.load();
  input.record.source = {.kind = "local", .location = tree.root, .details = {}};
  input.record.writer = writer;
  input.record.started = FormatRfc3339(started);
  size_t nodes = 0;
  for (const auto& level : built.levels) nodes += level.size();
  input.tree = std::move(built);
  input.blobs_sync = std::move(blobs_sync);

  const auto build_ms = ms_since(build_started);
  const auto commit_started = clock.SteadyNow();
  MV_ASSIGN_OR_RETURN(archive::RunRecord record,
                      archive::CommitRun(*store, catalog, lock, std::move(input),
                                         {.concurrency = concurrency, .clock = &clock}));
  LogDebug("import phases", {{"archive", options.archive},
                             {"walk", walk_ms},
                             {"lock_and_stat_cache", cache_ms},
                             {"read_and_upload", read_ms},
                             {"build_tree", build_ms},
                             {"commit", ms_since(commit_started)}});
  ImportSummary summary;
  summary.record = std::move(record);
  summary.files_read = files_read.load();
  summary.bytes_read = bytes_read.load();
  summary.files_stat_cached = static_cast<uint64_t>(
      std::count(from_cache.begin(), from_cache.end(), uint8_t{1}));
  summary.symlinks = tree.symlinks.size();
  summary.dirs = tree.dirs.size();
  summary.nodes_written = nodes;
  summary.elapsed = clock.SteadyNow() - started_steady;
  summary.package_index = UpdatePackageIndex(options.package_index, store, catalog, options.archive);
  MV_RETURN_IF_ERROR(lock.Release());
  return summary;
}

}  // namespace mv::importer
