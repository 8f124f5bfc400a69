#include "importer/local_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "archive/node_source.h"
#include "archive/tree_builder.h"
#include "archive/tree_walk.h"
#include "importer/folder_stats.h"
#include "importer/local_walk.h"
#include "importer/run_builder.h"
#include "util/hash.h"
#include "util/io.h"
#include "util/log.h"
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

// One folder of the walk, kept from its visit to the encoding of the tree. Its own entries are
// kept only when they changed; an unchanged folder is its cache row and the links to its
// subfolders.
struct Folder {
  std::string path;
  const archive::StatFolderRow* row = nullptr;  // the stat cache's, when the folder had one
  std::vector<size_t> children;                 // subfolders (indices), by name
  bool own_unchanged = false;                   // its listing packs as the row's does
  uint64_t direct_files = 0;
  uint64_t direct_bytes = 0;
  // A changed folder: its listing, packed for the cache, and its files' hashes.
  std::unique_ptr<WalkedFolder> listing;
  std::string packed;
  std::vector<Hashed> hashed;
  std::vector<uint8_t> cached;  // per file: the hash comes from the previous node
  // The result, filled bottom-up.
  Sha256 node{};
  uint64_t files = 0;
  uint64_t bytes = 0;
  bool reused = false;
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
  const int64_t racy_from_ns = started_ns - options.racy_window.count();
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t concurrency =
      options.concurrency > 0 ? options.concurrency : std::max<size_t>(16, 2 * cores);
  MV_ASSIGN_OR_RETURN(const std::string root, ResolveImportRoot(options.dir));

  // Names and kinds are checked by the walk, before anything is written; so the walk, and the
  // stat cache it is compared with, come before the run is started (the store's format, the
  // writer lock). The cache is only written by imports of this archive, under its lock: rows an
  // import commits meanwhile are true all the same (a folder with this listing had this tree),
  // and the rows this one writes replace them.
  // A back-dated run (older than the archive's latest: only with a run id given) may hold the
  // first sighting of contents a later run recorded: every file goes through the ledger, so no
  // folder is taken whole from the cache.
  bool back_dated = false;
  if (options.run_id) {
    MV_ASSIGN_OR_RETURN(std::optional<archive::RunRow> latest, catalog.LatestRun(options.archive));
    back_dated = latest && latest->run_id > *options.run_id;
  }

  // The stat cache of the archive's last import, by folder.
  std::unordered_map<std::string_view, const archive::StatFolderRow*> rows;
  std::vector<archive::StatFolderRow> cache;
  if (options.use_stat_cache) {
    MV_ASSIGN_OR_RETURN(cache, catalog.LoadStatCache(options.archive));
    rows.reserve(cache.size());
    for (const archive::StatFolderRow& r : cache) rows.emplace(r.path, &r);
  }

  // The walk: each folder compared with its cache row as it comes; the files of changed folders
  // whose stat fields differ from the row's (or that it lacks) are to be read.
  std::vector<Folder> folders;
  std::unordered_map<std::string, size_t> parent_of;  // a folder's path -> its parent's index
  struct ToRead {
    size_t folder;
    size_t file;
  };
  std::vector<ToRead> to_read;
  uint64_t total_files = 0, total_bytes = 0, cached_files = 0, cached_bytes = 0, symlinks = 0;
  MV_RETURN_IF_ERROR(WalkLocalFolders(root, [&](WalkedFolder walked) -> Status {
    const size_t index = folders.size();
    Folder& f = folders.emplace_back();
    f.path = walked.path;
    if (auto p = parent_of.find(f.path); p != parent_of.end()) {
      folders[p->second].children.push_back(index);
      parent_of.erase(p);
    }
    for (const std::string& sub : walked.subdirs) parent_of.emplace(ChildPath(f.path, sub), index);
    if (auto r = rows.find(f.path); r != rows.end()) f.row = r->second;
    f.direct_files = walked.files.size();
    for (const WalkedFile& file : walked.files) f.direct_bytes += file.stat.size;
    total_files += f.direct_files;
    total_bytes += f.direct_bytes;
    symlinks += walked.symlinks.size();
    bool racy = false;
    std::string packed = PackFolderListing(walked, racy_from_ns, &racy);
    f.own_unchanged = f.row != nullptr && !racy && !back_dated && packed == f.row->listing;
    if (f.own_unchanged) {
      cached_files += f.direct_files;
      cached_bytes += f.direct_bytes;
      return Status::Ok();
    }
    std::unordered_map<std::string, FileStat> before;
    if (f.row != nullptr) {
      // The cache only spares reads: a row that does not decode is set aside (its folder is
      // read whole and its row rewritten), not a reason to refuse the import.
      Result<std::unordered_map<std::string, FileStat>> listed = UnpackListedFiles(
          f.row->listing, "the stat cache of folder '" + DisplayPath(f.path) + "'");
      if (listed.ok()) {
        before = std::move(*listed);
      } else {
        LogWarn("stat cache row set aside",
                {{"archive", options.archive}, {"error", listed.status().message()}});
        f.row = nullptr;
      }
    }
    f.hashed.resize(walked.files.size());
    f.cached.assign(walked.files.size(), 0);
    for (size_t i = 0; i < walked.files.size(); ++i) {
      const WalkedFile& file = walked.files[i];
      auto b = before.find(file.name);
      if (b != before.end() && b->second == file.stat) {
        f.cached[i] = 1;
        f.hashed[i].stat = file.stat;
        cached_files += 1;
        cached_bytes += file.stat.size;
      } else {
        to_read.push_back({index, i});
      }
    }
    f.packed = std::move(packed);
    f.listing = std::make_unique<WalkedFolder>(std::move(walked));
    return Status::Ok();
  }));
  const auto walk_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - started_steady);

  RunBuilderOptions run_options = RunBuilderOptionsOf(options);
  run_options.started = started;
  run_options.commit_concurrency = concurrency;
  run_options.phases_name = "import";
  MV_ASSIGN_OR_RETURN(std::unique_ptr<RunBuilder> run,
                      RunBuilder::Start(store, catalog, run_options));
  run->AddPhase("stat_cache_and_walk", walk_ms);
  run->Phase("lock");  // format, lock, recovery
  if (run->start().back_dated != back_dated) {
    return Unavailable("another import of " + options.archive + " committed a run after " +
                       run->RunName() + " while this one walked " + DisplayPath(root) +
                       "; import again");
  }
  if (options.progress != nullptr) {
    options.progress->SetTotals(total_bytes, total_files);
    options.progress->Add(cached_bytes, cached_files);
  }

  // The hashes of cached files in changed folders: from the folder's previous node.
  std::unique_ptr<archive::NodeSource> nodes =
      archive::MakeCachedNodeSource(store, &catalog, /*memory_nodes=*/1024);
  for (Folder& f : folders) {
    if (f.listing == nullptr || f.row == nullptr) continue;
    if (std::find(f.cached.begin(), f.cached.end(), uint8_t{1}) == f.cached.end()) continue;
    MV_ASSIGN_OR_RETURN(std::vector<archive::TreeEntry> previous,
                        archive::ListDirectory(*nodes, f.row->node));
    std::unordered_map<std::string_view, const archive::TreeEntry*> by_name;
    for (const archive::TreeEntry& e : previous) by_name.emplace(e.name, &e);
    for (size_t i = 0; i < f.cached.size(); ++i) {
      if (f.cached[i] == 0) continue;
      auto e = by_name.find(f.listing->files[i].name);
      if (e == by_name.end() || e->second->type != archive::EntryType::kFile ||
          e->second->size != f.hashed[i].stat.size) {
        // The cache and the tree disagree (the tree is the truth): read the file.
        f.cached[i] = 0;
        cached_files -= 1;
        cached_bytes -= f.hashed[i].stat.size;
        to_read.push_back({static_cast<size_t>(&f - folders.data()), i});
        continue;
      }
      f.hashed[i].sha256 = e->second->hash;
      f.hashed[i].sha1 = e->second->sha1;
    }
  }
  run->Phase("previous_nodes");

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
  auto abs_path = [&](const ToRead& t) {
    const Folder& f = folders[t.folder];
    return root + "/" + ChildPath(f.path, f.listing->files[t.file].name);
  };
  // A cached content was committed by an earlier run, so the catalog knows it, unless this run
  // is back-dated: then its first sighting may move here.
  if (back_dated) {
    for (size_t fi = 0; fi < folders.size(); ++fi) {
      const Folder& f = folders[fi];
      for (size_t i = 0; i < f.cached.size(); ++i) {
        if (f.cached[i] == 0) continue;
        const std::string abs = abs_path({fi, i});
        MV_RETURN_IF_ERROR(handle_content(f.hashed[i], abs, DisplayPath(abs), nullptr));
      }
    }
  }

  // Each file is hashed and, when new, uploaded by the same task, so reading and writing overlap.
  // Uploads go in the walk's (random, in hash terms) order: content order would send every
  // thread into the same blobs/<h0h1>/<h2h3>/ folder at once, where creates serialise on the
  // folder's lock.
  Status work =
      ParallelFor(to_read.size(),
                  [&](size_t k) -> Status {
                    const ToRead& t = to_read[k];
                    thread_local std::string buffer;
                    if (buffer.size() != kReadBuffer) buffer.resize(kReadBuffer);
                    const std::string abs = abs_path(t);
                    const std::string shown = DisplayPath(abs);
                    MV_ASSIGN_OR_RETURN(ReadFile read, ReadOne(abs, shown, stage_in, buffer));
                    Hashed& h = folders[t.folder].hashed[t.file];
                    h = read.hashed;
                    files_read += 1;
                    bytes_read += h.stat.size;
                    if (options.progress != nullptr) options.progress->Add(h.stat.size, 1);
                    return handle_content(h, abs, shown, std::move(read.staged));
                  },
                  {.max_in_flight = concurrency});
  MV_RETURN_IF_ERROR(
      work.WithContext("import of " + DisplayPath(root) + " into " + run->RunName()));

  // The disk flushes the new blobs while the tree is built and its nodes written.
  run->SyncBlobs();
  run->Phase("read_and_upload");

  // The tree, bottom-up (a folder's subfolders come after it in the walk): a folder that is
  // unchanged with all its subfolders keeps its node; the others are encoded, an unchanged
  // folder under which something changed from its previous node's entries.
  archive::NodeLevels levels;
  archive::StatCacheDelta delta;
  archive::BuiltTree built;
  for (size_t fi = folders.size(); fi-- > 0;) {
    Folder& f = folders[fi];
    bool children_reused = true;
    for (size_t c : f.children) children_reused = children_reused && folders[c].reused;
    if (f.own_unchanged && children_reused) {
      f.node = f.row->node;
      f.files = f.row->files;
      f.bytes = f.row->bytes;
      f.reused = true;
      continue;
    }
    std::vector<archive::TreeEntry> entries;
    if (f.own_unchanged) {
      MV_ASSIGN_OR_RETURN(entries, archive::ListDirectory(*nodes, f.row->node));
    } else {
      const WalkedFolder& w = *f.listing;
      entries.reserve(w.files.size() + w.symlinks.size() + w.subdirs.size());
      for (size_t i = 0; i < w.files.size(); ++i) {
        const Hashed& h = f.hashed[i];
        entries.push_back({.name = w.files[i].name,
                           .type = archive::EntryType::kFile,
                           .executable = h.stat.executable,
                           .size = h.stat.size,
                           .hash = h.sha256,
                           .sha1 = h.sha1});
        built.files_in_order.push_back({ChildPath(f.path, w.files[i].name), entries.back()});
      }
      for (const WalkedSymlink& l : w.symlinks) {
        entries.push_back(
            {.name = l.name, .type = archive::EntryType::kSymlink, .target = l.target});
      }
      for (const std::string& d : w.subdirs) {
        entries.push_back({.name = d, .type = archive::EntryType::kDirectory});
      }
    }
    // Subfolders from their results (by name: both lists are sorted).
    std::unordered_map<std::string_view, const Folder*> subs;
    for (size_t c : f.children) {
      const Folder& child = folders[c];
      const size_t slash = child.path.rfind('/');
      subs.emplace(slash == std::string::npos ? std::string_view(child.path)
                                              : std::string_view(child.path).substr(slash + 1),
                   &child);
    }
    std::vector<Sha256> subdir_ids;
    f.files = 0;
    f.bytes = 0;
    for (archive::TreeEntry& e : entries) {
      if (e.type == archive::EntryType::kFile) {
        f.files += 1;
        f.bytes += e.size;
      } else if (e.type == archive::EntryType::kDirectory) {
        auto s = subs.find(e.name);
        if (s == subs.end()) {
          return Internal("folder '" + DisplayPath(ChildPath(f.path, e.name)) +
                          "' of the tree was not walked");
        }
        e.hash = s->second->node;
        e.size = s->second->bytes;
        e.file_count = s->second->files;
        subdir_ids.push_back(e.hash);
        f.files += e.file_count;
        f.bytes += e.size;
      }
    }
    Result<archive::EncodedDirectory> encoded = archive::EncodeDirectory(std::move(entries));
    if (!encoded.ok()) {
      return encoded.status().WithContext("folder '" +
                                          (f.path.empty() ? "/" : DisplayPath(f.path)) + "'");
    }
    f.node = encoded->id;
    MV_RETURN_IF_ERROR(levels.Add(std::move(*encoded), subdir_ids));
    if (options.use_stat_cache) {
      delta.upserts.push_back({.path = f.path,
                               .node = f.node,
                               .files = f.files,
                               .bytes = f.bytes,
                               .listing = f.own_unchanged ? f.row->listing : std::move(f.packed)});
    }
    f.listing.reset();
    f.hashed = {};
  }
  if (folders.empty()) return Internal("the walk of " + DisplayPath(root) + " gave no folder");
  built.root = folders[0].node;
  built.files = folders[0].files;
  built.bytes = folders[0].bytes;
  built.levels = levels.Take();
  // Identities are recorded for the first path of a content in tree order.
  std::sort(built.files_in_order.begin(), built.files_in_order.end(),
            [](const archive::BuiltTree::File& a, const archive::BuiltTree::File& b) {
              return archive::TreeOrderLess(a.path, b.path);
            });
  std::optional<archive::StatCacheDelta> stat_cache;
  if (options.use_stat_cache) {
    std::unordered_set<std::string_view> walked;
    walked.reserve(folders.size());
    for (const Folder& f : folders) walked.insert(f.path);
    for (const archive::StatFolderRow& r : cache) {
      if (!walked.contains(r.path)) delta.deletes.push_back(r.path);
    }
    stat_cache = std::move(delta);
  }
  run->Phase("build_tree");

  ImportSummary summary;
  summary.nodes_written = levels.nodes();
  MV_ASSIGN_OR_RETURN(
      summary.record,
      run->Commit(std::move(built), {.kind = "local", .location = root, .details = {}},
                  std::move(stat_cache)));
  summary.files_read = files_read.load();
  summary.bytes_read = bytes_read.load();
  summary.files_stat_cached = cached_files;
  summary.symlinks = symlinks;
  summary.dirs = folders.size() - 1;
  summary.elapsed = clock.SteadyNow() - started_steady;
  MV_ASSIGN_OR_RETURN(summary.package_index, run->Finish());
  return summary;
}

}  // namespace mv::importer
