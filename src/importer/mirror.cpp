#include "importer/mirror.h"

#include <regex.h>

#include <algorithm>
#include <future>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "apt/index_select.h"
#include "apt/indexes.h"
#include "apt/release.h"
#include "apt/signature.h"
#include "archive/commit.h"
#include "archive/node_source.h"
#include "archive/tree_fetch.h"
#include "archive/tree_builder.h"
#include "importer/blob_download.h"
#include "importer/run_start.h"
#include "importer/suite_release.h"
#include "util/decompress.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/task_group.h"
#include "util/time_format.h"

namespace mv::importer {
namespace {

using archive::Sha1;
using archive::Sha256;

// Indexes are held in memory while a run is mirrored; Debian's largest (Contents-amd64.gz) is
// about 60 MB.
constexpr uint64_t kMaxIndexBytes = 2ull << 30;
constexpr size_t kMaxDecompressedIndex = 4ull << 30;

// One file of the run's tree.
struct TreeFile {
  std::string path;
  Sha256 sha256{};
  Sha1 sha1{};
  uint64_t size = 0;
};

// What is known of one content: from the catalog, or stored by this mirror.
struct Content {
  Sha1 sha1{};
  uint64_t size = 0;
  bool uploaded = false;      // stored by this run: its identity is recorded with it
  bool earlier_here = false;  // known, but first seen after this (back-dated) run
};

std::string Join(const std::vector<std::string>& items, std::string_view sep = ",") {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

// A fetched index, before its bytes are stored.
struct FetchedIndex {
  const apt::SelectedIndex* index = nullptr;
  bool present = false;
  bool by_hash = false;   // upstream serves it under by-hash/SHA256/ too
  std::string bytes;      // when fetched by this run (else read back from the store if needed)
  std::string missing;    // why it is absent
};

class Mirror {
 public:
  Mirror(std::shared_ptr<store::ObjectStore> store, archive::Catalog& catalog,
         UpstreamFetcher& fetcher, const MirrorOptions& options, const RunStart& start)
      : store_(std::move(store)), catalog_(catalog), fetcher_(fetcher), options_(options),
        start_(start) {}

  Status Prepare() {
    if (!options_.filter.empty()) {
      // POSIX extended syntax (grep -E), matched against the whole name.
      auto compiled = std::make_unique<regex_t>();
      const std::string whole = "^(" + options_.filter + ")$";
      int rc = ::regcomp(compiled.get(), whole.c_str(), REG_EXTENDED | REG_NOSUB);
      if (rc != 0) {
        char why[256] = {};
        ::regerror(rc, compiled.get(), why, sizeof why);
        return InvalidArgument("--filter '" + options_.filter +
                               "' is not a valid (POSIX extended) regular expression: " + why);
      }
      filter_.reset(compiled.release());
    }
    selected_names_.insert(options_.packages.begin(), options_.packages.end());
    nodes_ = archive::MakeCachedNodeSource(store_, &catalog_);
    return Status::Ok();
  }

  Status MirrorSuite(const std::string& suite) {
    const std::string dists = "dists/" + suite + "/";
    const std::string where = options_.archive + ": suite " + suite;
    Result<std::string> fetched_release = FetchRelease(suite, dists, where);
    if (!fetched_release.ok()) {
      const Status& st = fetched_release.status();
      return st.message().starts_with(where) ? st : st.WithContext(where);
    }
    std::string release_text = std::move(*fetched_release);
    MV_ASSIGN_OR_RETURN(apt::Release release,
                        apt::ParseRelease(release_text, fetcher_.Url(dists + "Release")));
    details_["release_date/" + suite] = release.date;
    MV_RETURN_IF_ERROR(CheckReleaseFreshness(
        release, suite, where, start_.parent,
        options_.clock != nullptr ? *options_.clock : SystemClock()));
    MV_ASSIGN_OR_RETURN(std::vector<apt::SelectedIndex> selected,
                        apt::SelectIndexes(release,
                                           {.components = options_.components,
                                            .architectures = options_.architectures,
                                            .sources = options_.sources},
                                           where));
    // Every selected index, in parallel; each is checked against the Release.
    std::vector<FetchedIndex> fetched(selected.size());
    MV_RETURN_IF_ERROR(ParallelFor(
        selected.size(),
        [&](size_t i) -> Status {
          fetched[i].index = &selected[i];
          return FetchIndex(dists, release.acquire_by_hash, fetched[i]);
        },
        {.max_in_flight = options_.concurrency}));

    // A listed file upstream lacks is allowed only when another variant of the same index is
    // there (Debian lists uncompressed Packages it does not serve); otherwise the Release
    // promises something that does not exist.
    std::map<std::string, std::vector<const FetchedIndex*>> by_base;
    for (const FetchedIndex& f : fetched) by_base[f.index->base].push_back(&f);
    for (const auto& [base, variants] : by_base) {
      bool any = std::any_of(variants.begin(), variants.end(),
                             [](const FetchedIndex* f) { return f->present; });
      for (const FetchedIndex* f : variants) {
        if (f->present) continue;
        if (!any) {
          return NotFound(where + ": " + dists + f->index->path +
                          " is listed in the Release but the upstream does not serve it (" +
                          f->missing + ")");
        }
        LogDebug("listed index not served; another variant is", {{"path", dists + f->index->path}});
      }
    }
    for (const FetchedIndex& f : fetched) {
      if (!f.present) continue;
      MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f.index->entry.sha256));
      MV_RETURN_IF_ERROR(AddFile(dists + f.index->path, sha));
      if (f.by_hash) {
        const std::string dir = DirName(f.index->path);
        MV_RETURN_IF_ERROR(AddFile(
            dists + (dir.empty() ? "" : dir + "/") + "by-hash/SHA256/" + f.index->entry.sha256, sha));
      }
      index_files_ += 1;
    }

    // The pool files the chosen Packages and Sources name.
    for (const auto& [base, variants] : by_base) {
      std::vector<const apt::SelectedIndex*> present;
      for (const FetchedIndex* f : variants) {
        if (f->present) present.push_back(f->index);
      }
      const apt::SelectedIndex* best = apt::PreferredVariant(present);
      if (best == nullptr) continue;
      if (best->kind != apt::IndexKind::kPackages && best->kind != apt::IndexKind::kSources) continue;
      const FetchedIndex* chosen = nullptr;
      for (const FetchedIndex* f : variants) {
        if (f->index == best) chosen = f;
      }
      MV_RETURN_IF_ERROR(ReadPoolFiles(dists + best->path, *chosen));
    }
    return Status::Ok();
  }

  // Downloads the pool files whose content is new, in parallel.
  Status FetchPool() {
    // One download per content, from the first path that names it.
    std::vector<const apt::PoolFile*> todo;
    std::set<std::string> seen;
    uint64_t bytes = 0;
    for (const auto& [path, pf] : pool_) {
      if (seen.insert(pf.file.sha256).second) {
        todo.push_back(&pf.file);
        bytes += pf.file.size;
      }
    }
    if (options_.progress != nullptr) options_.progress->SetTotals(bytes, todo.size());
    // What the catalog knows is settled in one pass on one connection; only the rest is fetched.
    {
      std::vector<Sha256> shas;
      shas.reserve(todo.size());
      for (const apt::PoolFile* f : todo) {
        MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f->sha256, f->path));
        shas.push_back(sha);
      }
      MV_ASSIGN_OR_RETURN(std::vector<std::optional<archive::FileIdentity>> found,
                          catalog_.FilesBySha256(shas));
      std::vector<const apt::PoolFile*> unknown;
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < todo.size(); ++i) {
        if (contents_.count(shas[i]) != 0) {
          known_files_ += 1;
        } else if (found[i]) {
          Remember(shas[i], *found[i]);
        } else {
          unknown.push_back(todo[i]);
          continue;
        }
        if (options_.progress != nullptr) options_.progress->Add(todo[i]->size, 1);
      }
      todo.swap(unknown);
    }
    // Largest first: a big file started last would finish alone, long after the others.
    std::stable_sort(todo.begin(), todo.end(), [](const apt::PoolFile* a, const apt::PoolFile* b) {
      return a->size > b->size;
    });
    MV_RETURN_IF_ERROR(ParallelFor(
        todo.size(),
        [&](size_t i) -> Status {
          // Only contents the catalog pass above found unknown are left here.
          const apt::PoolFile& f = *todo[i];
          MV_ASSIGN_OR_RETURN(DownloadedBlob blob,
                              DownloadBlob(fetcher_, *store_, {f.path, f.size, f.sha256}));
          Stored(blob.sha256, blob.sha1, blob.size);
          if (options_.progress != nullptr) options_.progress->Add(f.size, 1);
          return Status::Ok();
        },
        {.max_in_flight = options_.concurrency}));
    for (const auto& [path, pf] : pool_) {
      MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(pf.file.sha256, path));
      MV_RETURN_IF_ERROR(AddFile(path, sha));
    }
    return Status::Ok();
  }

  Result<MirrorSummary> Commit() {
    std::future<Status> blobs_sync;
    if (downloaded_files_.load() > 0) {
      blobs_sync = std::async(std::launch::async, [this] { return store_->Sync(); });
    }
    archive::TreeBuilder builder;
    std::map<std::string, Sha256> seen_paths;
    for (const TreeFile& f : files_) {
      auto [it, fresh] = seen_paths.emplace(f.path, f.sha256);
      if (!fresh) {
        if (it->second == f.sha256) continue;  // the same file named twice (by-hash of variants)
        return Corruption(f.path + ": the upstream names two different files at this path (" +
                          archive::ToHex(it->second) + " and " + archive::ToHex(f.sha256) + ")");
      }
      MV_RETURN_IF_ERROR(builder.Add(f.path, {.type = archive::EntryType::kFile,
                                              .size = f.size,
                                              .hash = f.sha256,
                                              .sha1 = f.sha1}));
    }
    MV_ASSIGN_OR_RETURN(archive::BuiltTree built, builder.Build());
    archive::CommitInput input;
    std::set<Sha256> recorded;
    for (const archive::BuiltTree::File& f : built.files_in_order) {
      const Content& c = contents_.at(f.entry.hash);
      if (!c.uploaded && !c.earlier_here) continue;
      if (!recorded.insert(f.entry.hash).second) continue;
      input.files.push_back({.sha256 = f.entry.hash,
                             .sha1 = f.entry.sha1,
                             .size = f.entry.size,
                             .first_archive = options_.archive,
                             .first_run = start_.run_id,
                             .first_path = f.path});
    }
    MirrorSummary summary;
    summary.index_files = index_files_;
    summary.pool_files = pool_.size();
    for (const auto& [path, pf] : pool_) summary.pool_bytes += pf.file.size;
    summary.downloaded_files = downloaded_files_.load();
    summary.downloaded_bytes = downloaded_bytes_.load();
    summary.known_files = known_files_.load();

    details_["suites"] = Join(options_.suites);
    if (!options_.components.empty()) details_["components"] = Join(options_.components);
    if (!options_.architectures.empty()) details_["architectures"] = Join(options_.architectures);
    details_["sources"] = options_.sources ? "yes" : "no";
    if (!options_.packages.empty()) details_["packages"] = Join(options_.packages);
    if (!options_.filter.empty()) details_["filter"] = options_.filter;
    details_["selection"] = Partial() ? "partial" : "complete";
    details_["selected_pool_files"] = std::to_string(pool_.size());

    input.record.archive = options_.archive;
    input.record.run_id = start_.run_id;
    if (start_.parent) input.record.parent = start_.parent->run_id;
    input.record.new_files = uploaded_files_.load();
    input.record.new_bytes = uploaded_bytes_.load();
    input.record.source = {.kind = "upstream",
                           .location = RedactUrl(options_.upstream),
                           .details = details_};
    input.record.writer = start_.writer;
    input.record.started = FormatRfc3339(started_);
    input.tree = std::move(built);
    input.blobs_sync = std::move(blobs_sync);
    MV_ASSIGN_OR_RETURN(summary.record,
                        archive::CommitRun(*store_, catalog_, *start_.lock, std::move(input),
                                           {.concurrency = 16, .clock = options_.clock}));
    return summary;
  }

  void set_started(std::chrono::system_clock::time_point t) { started_ = t; }

 private:
  bool Partial() const { return filter_ != nullptr || !selected_names_.empty(); }

  bool Selected(const std::string& name) const {
    if (!Partial()) return true;
    if (selected_names_.count(name) != 0) return true;
    return filter_ && ::regexec(filter_.get(), name.c_str(), 0, nullptr, 0) == 0;
  }

  // InRelease, else Release + Release.gpg, checked (importer/suite_release.h); the files
  // upstream serves are added to the tree. Returns the Release's text.
  Result<std::string> FetchRelease(const std::string& suite, const std::string& dists,
                                   const std::string& where) {
    MV_ASSIGN_OR_RETURN(SuiteRelease release,
                        FetchSuiteRelease(fetcher_, dists, where, options_.keyring,
                                          options_.no_verify));
    details_["signed_by/" + suite] = release.signed_by;
    for (const auto& [name, bytes] : release.files) MV_RETURN_IF_ERROR(AddBytes(dists + name, bytes));
    return std::move(release.text);
  }

  Status FetchIndex(const std::string& dists, bool acquire_by_hash, FetchedIndex& out) {
    const apt::SelectedIndex& idx = *out.index;
    const std::string path = dists + idx.path;
    MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(idx.entry.sha256, path));
    const std::string dir = DirName(idx.path);
    const std::string by_hash_path =
        dists + (dir.empty() ? "" : dir + "/") + "by-hash/SHA256/" + idx.entry.sha256;
    MV_ASSIGN_OR_RETURN(bool known, Known(sha));
    if (known) {
      out.present = true;
      if (!acquire_by_hash) return Status::Ok();
      // Whether upstream serves it by hash too: as in the previous run when that had this very
      // file; otherwise asked (the bytes are dropped: the store has them).
      MV_ASSIGN_OR_RETURN(std::optional<Sha256> in_parent, ParentFile(path));
      if (in_parent && *in_parent == sha) {
        MV_ASSIGN_OR_RETURN(std::optional<Sha256> by_hash, ParentFile(by_hash_path));
        out.by_hash = by_hash && *by_hash == sha;
        return Status::Ok();
      }
      MV_ASSIGN_OR_RETURN(out.by_hash, fetcher_.Exists(by_hash_path));
      return Status::Ok();
    }
    if (idx.entry.size > kMaxIndexBytes) {
      return InvalidArgument(path + ": the Release lists " + std::to_string(idx.entry.size) +
                             " bytes, more than an index may have (" +
                             std::to_string(kMaxIndexBytes) + ")");
    }
    Result<std::string> got = NotFound("not fetched");
    if (acquire_by_hash) {
      got = fetcher_.GetBytes(by_hash_path, idx.entry.size);
      out.by_hash = got.ok();
      // A transient failure that outlasted the retries ends the run; anything else (404, a
      // CDN refusing by-hash/) falls back to the index's own path, as its bytes are checked.
      if (!got.ok() && got.status().retryable()) return got.status();
    }
    if (!got.ok()) got = fetcher_.GetBytes(path, idx.entry.size);
    if (got.status().IsNotFound()) {
      out.missing = got.status().message();
      return Status::Ok();
    }
    if (got.status().code() == StatusCode::kCorruption) {  // more bytes than listed
      return Corruption(path + ": does not match the Release: it lists " + idx.entry.sha256 +
                        " (" + std::to_string(idx.entry.size) +
                        " bytes), the upstream sent more bytes");
    }
    MV_RETURN_IF_ERROR(got.status());
    Digests d = [&] {
      ContentHasher h;
      h.Update(*got);
      return h.Finish();
    }();
    if (got->size() != idx.entry.size || d.sha256 != idx.entry.sha256) {
      std::string head = got->substr(0, 40);
      for (char& c : head) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '.';
      }
      return Corruption(path + ": does not match the Release: it lists " + idx.entry.sha256 +
                        " (" + std::to_string(idx.entry.size) + " bytes), the upstream sent " +
                        d.sha256 + " (" + std::to_string(got->size()) + " bytes, starting \"" +
                        head + "\")");
    }
    MV_RETURN_IF_ERROR(store_->PutBytes(archive::BlobKey(sha), *got,
                                        {.expected_sha256 = d.sha256, .defer_sync = true}));
    MV_ASSIGN_OR_RETURN(Sha1 sha1, archive::ParseSha1(d.sha1));
    Stored(sha, sha1, got->size());
    // Only the indexes that name pool files are read again; the others are in the store.
    if (idx.kind == apt::IndexKind::kPackages || idx.kind == apt::IndexKind::kSources) {
      out.bytes = std::move(*got);
    }
    out.present = true;
    return Status::Ok();
  }

  Status ReadPoolFiles(const std::string& path, const FetchedIndex& f) {
    std::string stored;
    const std::string* raw = &f.bytes;
    if (f.bytes.empty() && f.index->entry.size > 0) {
      MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f.index->entry.sha256));
      MV_ASSIGN_OR_RETURN(stored, store_->GetBytes(archive::BlobKey(sha)));
      raw = &stored;
    }
    MV_ASSIGN_OR_RETURN(std::string text, Decompress(*raw, CompressionFromName(path), path,
                                                     kMaxDecompressedIndex));
    if (f.index->kind == apt::IndexKind::kPackages) {
      return apt::ForEachBinaryPackage(text, path, [&](const apt::BinaryPackage& p) -> Status {
        if (!Selected(p.package)) return Status::Ok();
        return AddPool(p.file, path);
      });
    }
    return apt::ForEachSourcePackage(text, path, [&](const apt::SourcePackage& p) -> Status {
      if (!Selected(p.package)) return Status::Ok();
      for (const apt::PoolFile& file : p.files) MV_RETURN_IF_ERROR(AddPool(file, path));
      return Status::Ok();
    });
  }

  Status AddPool(const apt::PoolFile& file, const std::string& index) {
    if (file.path.starts_with("dists/")) {
      return Corruption(index + ": names " + file.path +
                        " as a package file, inside dists/ where the indexes are");
    }
    auto [it, inserted] = pool_.try_emplace(file.path, PoolEntry{file, index});
    if (!inserted && !(it->second.file == file)) {
      return Corruption(file.path + ": the indexes disagree: " + it->second.index + " lists " +
                        it->second.file.sha256 + " (" + std::to_string(it->second.file.size) +
                        " bytes), " + index + " lists " + file.sha256 + " (" +
                        std::to_string(file.size) + " bytes)");
    }
    return Status::Ok();
  }

  // Whether the catalog knows the content (it is in the store since a committed run), or this
  // run stored it already. Remembers the answer.
  Result<bool> Known(const Sha256& sha) {
    {
      std::lock_guard lock(mu_);
      if (contents_.count(sha) != 0) {
        known_files_ += 1;
        return true;
      }
    }
    MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> found, catalog_.FileBySha256(sha));
    if (!found) return false;
    std::lock_guard lock(mu_);
    Remember(sha, *found);
    return true;
  }

  // A content the catalog knows. REQUIRES: mu_ held.
  void Remember(const Sha256& sha, const archive::FileIdentity& found) {
    Content& c = contents_[sha];
    c.sha1 = found.sha1;
    c.size = found.size;
    c.earlier_here = std::tie(start_.run_id, options_.archive) <
                     std::tie(found.first_run, found.first_archive);
    known_files_ += 1;
  }

  void Stored(const Sha256& sha, const Sha1& sha1, uint64_t size) {
    std::lock_guard lock(mu_);
    Content& c = contents_[sha];
    c.sha1 = sha1;
    c.size = size;
    if (!c.uploaded) {
      c.uploaded = true;
      uploaded_files_ += 1;
      uploaded_bytes_ += size;
    }
    downloaded_files_ += 1;
    downloaded_bytes_ += size;
  }

  // A file of the tree whose content is known or stored.
  Status AddFile(const std::string& path, const Sha256& sha) {
    std::lock_guard lock(mu_);
    auto it = contents_.find(sha);
    if (it == contents_.end()) return Internal(path + ": content neither known nor stored");
    files_.push_back({path, sha, it->second.sha1, it->second.size});
    return Status::Ok();
  }

  // The content at `path` in the archive's previous run, if it has a file there.
  Result<std::optional<Sha256>> ParentFile(const std::string& path) {
    if (!start_.parent) return std::optional<Sha256>();
    Result<archive::TreeEntry> entry = archive::LookupPath(*nodes_, start_.parent->root, path);
    if (entry.status().IsNotFound()) return std::optional<Sha256>();
    MV_RETURN_IF_ERROR(entry.status());
    if (entry->type != archive::EntryType::kFile) return std::optional<Sha256>();
    return std::optional<Sha256>(entry->hash);
  }

  // A small file fetched whole (InRelease, Release, Release.gpg): stored and added.
  Status AddBytes(const std::string& path, std::string_view bytes) {
    ContentHasher h;
    h.Update(bytes);
    Digests d = h.Finish();
    MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(d.sha256));
    MV_ASSIGN_OR_RETURN(Sha1 sha1, archive::ParseSha1(d.sha1));
    MV_ASSIGN_OR_RETURN(bool known, Known(sha));
    if (!known) {
      MV_RETURN_IF_ERROR(store_->PutBytes(archive::BlobKey(sha), bytes,
                                          {.expected_sha256 = d.sha256, .defer_sync = true}));
      Stored(sha, sha1, bytes.size());
    }
    index_files_ += 1;
    return AddFile(path, sha);
  }

  struct PoolEntry {
    apt::PoolFile file;
    std::string index;  // the index that first named it
  };

  std::shared_ptr<store::ObjectStore> store_;
  archive::Catalog& catalog_;
  UpstreamFetcher& fetcher_;
  const MirrorOptions& options_;
  const RunStart& start_;
  std::chrono::system_clock::time_point started_;
  struct RegexFree {
    void operator()(regex_t* r) const {
      ::regfree(r);
      delete r;
    }
  };
  std::unique_ptr<regex_t, RegexFree> filter_;
  std::unique_ptr<archive::NodeSource> nodes_;  // the previous run's tree (thread-safe)
  std::set<std::string> selected_names_;
  std::map<std::string, std::string> details_;

  std::mutex mu_;
  std::unordered_map<Sha256, Content, archive::IdHasher> contents_;  // guarded by mu_
  std::vector<TreeFile> files_;                            // guarded by mu_
  std::map<std::string, PoolEntry> pool_;                  // by path
  uint64_t index_files_ = 0;
  std::atomic<uint64_t> downloaded_files_{0}, downloaded_bytes_{0};
  std::atomic<uint64_t> uploaded_files_{0}, uploaded_bytes_{0};
  std::atomic<uint64_t> known_files_{0};
};

}  // namespace

Result<MirrorSummary> MirrorUpstream(std::shared_ptr<store::ObjectStore> store,
                                     archive::Catalog& catalog,
                                     std::shared_ptr<http::HttpClient> http,
                                     const MirrorOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  const auto started_steady = clock.SteadyNow();
  const auto started = clock.Now();
  if (options.suites.empty()) return InvalidArgument("mirror " + options.archive + ": no suite given");
  if (options.keyring.empty() && !options.no_verify) {
    return InvalidArgument("mirror " + options.archive +
                           ": no keyring to check the Release signatures with; give --keyring "
                           "FILE (or --no-verify to mirror without checking them)");
  }
  if (!options.packages.empty() && !options.filter.empty()) {
    return InvalidArgument("mirror " + options.archive + ": give --packages or --filter, not both");
  }
  for (const std::string& suite : options.suites) {
    if (!apt::IsSafeRelativePath(suite)) {
      return InvalidArgument("mirror " + options.archive + ": '" + suite + "' is not a suite name");
    }
  }
  MV_ASSIGN_OR_RETURN(RunStart start, StartRun(*store, catalog,
                                                {.archive = options.archive,
                                                 .run_id = options.run_id,
                                                 .started = started,
                                                 .writer = options.writer,
                                                 .lock_wait = options.lock_wait,
                                                 .clock = &clock}));
  UpstreamFetcher fetcher(std::move(http), options.upstream, options.fetch);
  Mirror mirror(store, catalog, fetcher, options, start);
  mirror.set_started(started);
  MV_RETURN_IF_ERROR(mirror.Prepare());
  const std::string what = "mirror of " + RedactUrl(options.upstream) + " into " +
                           options.archive + "@" + start.run_id.ToString();
  auto ms_since = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.SteadyNow() - t);
  };
  const auto indexes_started = clock.SteadyNow();
  for (const std::string& suite : options.suites) {
    MV_RETURN_IF_ERROR(mirror.MirrorSuite(suite).WithContext(what));
  }
  const auto indexes_ms = ms_since(indexes_started);
  const auto pool_started = clock.SteadyNow();
  MV_RETURN_IF_ERROR(mirror.FetchPool().WithContext(what));
  const auto pool_ms = ms_since(pool_started);
  const auto commit_started = clock.SteadyNow();
  MV_ASSIGN_OR_RETURN(MirrorSummary summary, mirror.Commit());
  const auto commit_ms = ms_since(commit_started);
  const auto index_started = clock.SteadyNow();
  summary.requests = fetcher.counters().requests.load();
  summary.retries = fetcher.counters().retries.load();
  summary.package_index = UpdatePackageIndex(options.package_index, store, catalog, options.archive);
  LogDebug("mirror phases", {{"archive", options.archive},
                             {"releases_and_indexes", indexes_ms},
                             {"pool", pool_ms},
                             {"commit", commit_ms},
                             {"package_index", ms_since(index_started)}});
  summary.elapsed = clock.SteadyNow() - started_steady;
  MV_RETURN_IF_ERROR(start.lock->Release());
  return summary;
}

}  // namespace mv::importer
