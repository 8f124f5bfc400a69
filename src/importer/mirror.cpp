#include "importer/mirror.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <set>

#include "apt/index_select.h"
#include "apt/indexes.h"
#include "apt/paragraph_diff.h"
#include "apt/release.h"
#include "apt/sha256sums.h"
#include "apt/signature.h"
#include "archive/node_source.h"
#include "archive/tree_builder.h"
#include "archive/tree_edit.h"
#include "importer/blob_download.h"
#include "importer/derived_view.h"
#include "importer/package_filter.h"
#include "importer/run_builder.h"
#include "importer/suite_release.h"
#include "importer/unchanged_upstream.h"
#include "util/adaptive_window.h"
#include "util/decompress.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/mutex.h"
#include "util/redact.h"
#include "util/strings.h"
#include "util/task_group.h"
#include "util/thread_annotations.h"

namespace mv::importer {
namespace {

using archive::Sha1;
using archive::Sha256;

// Indexes are held in memory while a run is mirrored; Debian's largest (Contents-amd64.gz) is
// about 60 MB.
constexpr uint64_t kMaxIndexBytes = 2ull << 30;

// One file of the run's tree.
struct TreeFile {
  std::string path;
  Sha256 sha256{};
  Sha1 sha1{};
  uint64_t size = 0;
};

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

// A fetched index, before its bytes are stored.
struct FetchedIndex {
  const apt::SelectedIndex* index = nullptr;
  bool present = false;
  bool by_hash = false;  // upstream serves it under by-hash/SHA256/ too
  std::string bytes;     // when fetched by this run (else read back from the store if needed)
  std::string missing;   // why it is absent
};

class Mirror {
 public:
  Mirror(std::shared_ptr<store::ObjectStore> store, archive::Catalog& catalog,
         UpstreamFetcher& fetcher, const MirrorOptions& options, RunBuilder& run)
      : store_(std::move(store)),
        catalog_(catalog),
        fetcher_(fetcher),
        options_(options),
        run_(run),
        start_(run.start()) {}

  Status Prepare() {
    MV_ASSIGN_OR_RETURN(PackageFilter selection,
                        PackageFilter::Make(options_.packages, options_.filter));
    selection_.emplace(std::move(selection));
    MV_ASSIGN_OR_RETURN(without_, apt::ParseIndexParts(options_.without,
                                                       "mirror " + options_.archive + ": without"));
    nodes_ = archive::MakeCachedNodeSource(store_, &catalog_);
    return Status::Ok();
  }

  // Fetches and checks a suite's signed Release (InRelease, else Release + Release.gpg); the
  // files are stored and added to the tree. First of all, for every suite.
  Status TakeSuiteRelease(const std::string& suite) {
    const std::string dists = SuiteFolder(suite);
    const std::string where = options_.archive + ": suite " + suite;
    Result<std::string> fetched_release = FetchRelease(suite, dists, where);
    if (!fetched_release.ok()) {
      const Status& st = fetched_release.status();
      return st.message().starts_with(where) ? st : st.WithContext(where);
    }
    MV_ASSIGN_OR_RETURN(apt::Release release,
                        apt::ParseRelease(*fetched_release, fetcher_.Url(dists + "Release")));
    details_["release_date/" + suite] = release.date;
    MV_RETURN_IF_ERROR(
        CheckReleaseFreshness(release, suite, where, start_.parent,
                              options_.clock != nullptr ? *options_.clock : SystemClock()));
    releases_.emplace(suite, std::move(release));
    return Status::Ok();
  }

  // Whether this run is the previous run again: it was mirrored from the same upstream with the
  // same selection, and every suite's signed Release files are its very files (the same names,
  // the same bytes, none more or fewer). The Release pins each index by hash and the indexes each
  // pool file, so the indexes, the pool and the tree are the previous run's: nothing needs to be
  // parsed, looked up or built. A derived view (signed anew each run) is always built.
  Result<bool> SameAsParent() {
    if (!start_.parent) return false;
    const std::string parent_name = options_.archive + "@" + start_.parent->run_id.ToString();
    MV_ASSIGN_OR_RETURN(
        parent_record_,
        UnchangedParent(
            {.options = options_,
             .parent_record = start_.parent->record,
             .parent_name = parent_name,
             .selection = SelectionDetails(options_, selection_->partial(), without_),
             .now_file = [this](const std::string& path) -> std::optional<Sha256> {
               util::MutexLock lock(mu_);
               for (const TreeFile& f : files_) {
                 if (f.path == path) return f.sha256;
               }
               return std::nullopt;
             },
             .parent_file = [this](const std::string& path) { return ParentFile(path); }}));
    return parent_record_.has_value();
  }

  // Whether this run can be made by editing the previous run's tree: the previous run was
  // mirrored from this upstream with this selection, so its pool is what its indexes named, and
  // only the pool folders of paragraphs that came or went (and dists/, built anew) change. Not for
  // a flat repository, whose indexes lie among its pool files.
  void ChooseBase() {
    if (!start_.parent) return;
    for (const std::string& suite : options_.suites) {
      if (suite.ends_with('/')) return;
    }
    base_ = SameSourceParent(options_, start_.parent->record,
                             options_.archive + "@" + start_.parent->run_id.ToString(),
                             SelectionDetails(options_, selection_->partial(), without_));
  }

  // Commits the previous run's tree as this run's (SameAsParent said so).
  Result<MirrorSummary> CommitParentTree() {
    const archive::RunRecord& parent = *parent_record_;
    archive::BuiltTree built;
    built.root = parent.root;
    built.files = parent.files;
    built.bytes = parent.bytes;
    MirrorSummary summary;
    summary.unchanged_from = parent.run_id;
    summary.downloaded_files = downloaded_files_.load();
    summary.downloaded_bytes = downloaded_bytes_.load();
    // details_ holds this run's signed_by and release_date.
    MV_ASSIGN_OR_RETURN(summary.record,
                        run_.Commit(std::move(built), Source(UnchangedDetails(parent, details_))));
    return summary;
  }

  // The indexes and pool files of a suite whose Release TakeSuiteRelease took.
  Status MirrorSuite(const std::string& suite) {
    const bool flat = suite.ends_with('/');
    const std::string dists = SuiteFolder(suite);
    const std::string where = options_.archive + ": suite " + suite;
    const apt::Release& release = releases_.at(suite);
    MV_ASSIGN_OR_RETURN(std::vector<apt::SelectedIndex> selected,
                        apt::SelectIndexes(release, Selection(flat), where));
    // Every selected index, in parallel; each is checked against the Release.
    std::vector<FetchedIndex> fetched(selected.size());
    MV_RETURN_IF_ERROR(
        ParallelFor(selected.size(),
                    [&](size_t i) -> Status {
                      fetched[i].index = &selected[i];
                      return FetchIndex(dists, release.acquire_by_hash, fetched[i]);
                    },
                    {.max_in_flight = std::min(kIndexDownloads, options_.concurrency)}));

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
    // installer-<arch>/current: upstream's symlink to one version's folder, seen as the same
    // SHA256SUMS under both names; kept as the symlink (its files are the version's).
    std::set<std::string> linked;  // "<component>/installer-<arch>/current/"
    for (const FetchedIndex& f : fetched) {
      const std::string& p = f.index->path;
      const std::string suffix = "/current/images/SHA256SUMS";
      if (!f.present || f.index->kind != apt::IndexKind::kInstallerImages || !p.ends_with(suffix))
        continue;
      const std::string parent = p.substr(0, p.size() - suffix.size());  // main/installer-amd64
      for (const FetchedIndex& g : fetched) {
        const std::string& q = g.index->path;
        if (&g == &f || !g.present || g.index->kind != apt::IndexKind::kInstallerImages ||
            !q.starts_with(parent + "/") || g.index->entry.sha256 != f.index->entry.sha256)
          continue;
        const std::string version =
            q.substr(parent.size() + 1, q.find('/', parent.size() + 1) - parent.size() - 1);
        if (version == "current") continue;
        linked.insert(parent + "/current/");
        util::MutexLock lock(mu_);
        symlinks_[dists + parent + "/current"] = version;
        break;
      }
    }
    auto under_link = [&](const std::string& path) {
      for (const std::string& l : linked) {
        if (path.starts_with(l)) return true;
      }
      return false;
    };
    for (const FetchedIndex& f : fetched) {
      if (!f.present || under_link(f.index->path)) continue;
      MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f.index->entry.sha256));
      MV_RETURN_IF_ERROR(AddFile(dists + f.index->path, sha));
      if (f.by_hash) {
        const std::string dir = DirName(f.index->path);
        MV_RETURN_IF_ERROR(AddFile(
            dists + (dir.empty() ? "" : dir + "/") + "by-hash/SHA256/" + f.index->entry.sha256,
            sha));
      }
      index_files_ += 1;
    }

    // The pool files the chosen Packages and Sources name.
    std::vector<ViewIndex> view_indexes;
    for (const auto& [base, variants] : by_base) {
      std::vector<const apt::SelectedIndex*> present;
      for (const FetchedIndex* f : variants) {
        if (f->present) present.push_back(f->index);
      }
      const apt::SelectedIndex* best = apt::PreferredVariant(present);
      if (best == nullptr) continue;
      if (best->kind == apt::IndexKind::kInstallerImages) {
        if (under_link(best->path)) continue;
        const FetchedIndex* sums = nullptr;
        for (const FetchedIndex* f : variants) {
          if (f->index == best) sums = f;
        }
        MV_RETURN_IF_ERROR(ReadImages(dists + best->path, *sums));
        continue;
      }
      if (best->kind != apt::IndexKind::kPackages && best->kind != apt::IndexKind::kSources &&
          best->kind != apt::IndexKind::kInstallerPackages)
        continue;
      // The installer's indexes kept, its udebs left out on purpose.
      if (best->kind == apt::IndexKind::kInstallerPackages &&
          std::find(without_.begin(), without_.end(), apt::IndexPart::kUdeb) != without_.end())
        continue;
      const FetchedIndex* chosen = nullptr;
      for (const FetchedIndex* f : variants) {
        if (f->index == best) chosen = f;
      }
      // A derived view lists Packages and Sources only: the installer's udebs are not part of a
      // partial mirror closed over dependencies (its indexes stay in the pristine tree).
      if (options_.filter_with_deps) {
        MV_ASSIGN_OR_RETURN(std::string text, IndexText(dists + best->path, *chosen));
        view_indexes.push_back({.base = best->base,
                                .kind = best->kind,
                                .architecture = best->architecture,
                                .component = best->component,
                                .text = std::move(text)});
        continue;
      }
      MV_ASSIGN_OR_RETURN(std::string text, IndexText(dists + best->path, *chosen));
      // Two passes over the index, one on each core: its pool files, and (when the previous
      // run's tree is edited) the folders of its paragraphs that changed.
      std::vector<const apt::SelectedIndex*> listed;
      for (const FetchedIndex* f : variants) listed.push_back(f->index);
      std::future<Status> touched;
      const bool editing = base_.has_value();
      if (editing) {
        touched = std::async(std::launch::async, [&] {
          return TouchChangedFolders(dists, best->kind, listed, IndexNow{best, &text});
        });
      }
      // While the tree is edited, the paragraphs are the previous run's (parsed when it was
      // mirrored) or parsed by TouchChangedFolders: only their pool files are read here. When the
      // comparison gives up, or the pool files alone cannot be read, every paragraph is parsed
      // (and the full parse says what is wrong).
      Status read = ReadPoolFiles(dists + best->path, best->kind, text, editing);
      if (touched.valid()) MV_RETURN_IF_ERROR(touched.get());
      if (editing && (!read.ok() || !base_)) {
        read = ReadPoolFiles(dists + best->path, best->kind, text, false);
      }
      MV_RETURN_IF_ERROR(read);
    }
    if (base_) MV_RETURN_IF_ERROR(TouchGoneIndexes(suite, dists, by_base, where));
    if (options_.filter_with_deps) return AddView(suite, release, view_indexes, where);
    return Status::Ok();
  }

  // Downloads the pool files whose content is new, in parallel.
  Status FetchPool() {
    // One download per content, from the first path that names it.
    std::vector<const PoolEntry*> todo;
    std::set<std::string> seen;
    uint64_t bytes = 0;
    std::set<std::string> kept;  // contents of the folders kept from the previous run's tree
    for (const auto& [path, pf] : pool_) {
      if (!Rebuilt(path)) {
        kept.insert(pf.file.sha256);
        continue;
      }
      if (seen.insert(pf.file.sha256).second) {
        todo.push_back(&pf);
        bytes += pf.file.size;
      }
    }
    for (const std::string& sha : seen) kept.erase(sha);
    kept_contents_ = kept.size();
    if (options_.progress != nullptr) options_.progress->SetTotals(bytes, todo.size());
    // What the catalog knows is settled in one pass on one connection; only the rest is fetched.
    {
      std::vector<Sha256> shas;
      shas.reserve(todo.size());
      for (const PoolEntry* f : todo) {
        MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f->file.sha256, f->file.path));
        shas.push_back(sha);
      }
      MV_ASSIGN_OR_RETURN(std::vector<bool> known, run_.KnownMany(shas));
      std::vector<const PoolEntry*> unknown;
      for (size_t i = 0; i < todo.size(); ++i) {
        if (!known[i]) {
          unknown.push_back(todo[i]);
          continue;
        }
        if (options_.progress != nullptr) options_.progress->Add(todo[i]->file.size, 1);
      }
      todo.swap(unknown);
    }
    // Largest first: a big file started last would finish alone, long after the others.
    std::stable_sort(todo.begin(), todo.end(), [](const PoolEntry* a, const PoolEntry* b) {
      return a->file.size > b->file.size;
    });
    // How many are in flight is probed, up to the configured cap: a near upstream needs few, a
    // far one as many as it takes to fill the link (util/adaptive_window.h). Retries (429, 503,
    // failed transfers) halve it.
    AdaptiveWindow window({.initial = std::min(kInitialDownloads, options_.concurrency),
                           .max = options_.concurrency,
                           .congestion = &fetcher_.counters().retries,
                           .clock = options_.clock});
    MV_RETURN_IF_ERROR(ParallelFor(
        todo.size(),
        [&](size_t i) -> Status {
          // Only contents the catalog pass above found unknown are left here.
          const apt::PoolFile& f = todo[i]->file;
          MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f.sha256, f.path));
          AdaptiveWindow::Slot slot(window);
          MV_ASSIGN_OR_RETURN(
              DownloadedBlob blob,
              DownloadBlob(fetcher_, *store_, {f.path, f.size, sha, todo[i]->size_known}));
          slot.Done(blob.size);
          Stored(blob.sha256, blob.sha1, blob.size);
          if (options_.progress != nullptr) options_.progress->Add(f.size, 1);
          return Status::Ok();
        },
        {.max_in_flight = options_.concurrency}));
    pool_window_ = std::min(window.peak(), todo.size());
    for (const auto& [path, pf] : pool_) {
      if (!Rebuilt(path)) continue;
      MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(pf.file.sha256, path));
      MV_RETURN_IF_ERROR(AddFile(path, sha));
      // The derived view's copy of the pool: the same contents, so only tree entries.
      if (options_.filter_with_deps) MV_RETURN_IF_ERROR(AddFile(kViewPrefix + path, sha));
    }
    return Status::Ok();
  }

  Result<MirrorSummary> Commit() {
    // The disk flushes the new blobs while the tree is built and its nodes written.
    run_.SyncBlobs();
    archive::TreeBuilder builder;
    std::map<std::string, Sha256> seen_paths;
    std::vector<TreeFile> files;
    {
      util::MutexLock lock(mu_);
      files = std::move(files_);
    }
    std::map<std::string, std::string> symlinks;
    {
      util::MutexLock lock(mu_);
      symlinks = std::move(symlinks_);
    }
    // Whole: every file into one builder. Edited: dists/ into its own, the pool folders made
    // anew as edits of the previous run's tree.
    archive::TreeEdits edits;
    for (const std::string& folder : touched_) edits.folder_files[folder];
    auto place = [&](const std::string& path, archive::TreeEntry entry) -> Status {
      if (!base_) return builder.Add(path, std::move(entry));
      if (path.starts_with("dists/")) return builder.Add(path.substr(6), std::move(entry));
      auto folder = edits.folder_files.find(DirName(path));
      if (folder == edits.folder_files.end()) {
        return Internal(path + ": a pool file outside the folders made anew");
      }
      const size_t slash = path.rfind('/');
      entry.name = slash == std::string::npos ? path : path.substr(slash + 1);
      folder->second.push_back(std::move(entry));
      return Status::Ok();
    };
    for (const auto& [path, target] : symlinks) {
      MV_RETURN_IF_ERROR(place(path, {.type = archive::EntryType::kSymlink, .target = target}));
    }
    for (const TreeFile& f : files) {
      auto [it, fresh] = seen_paths.emplace(f.path, f.sha256);
      if (!fresh) {
        if (it->second == f.sha256) continue;  // the same file named twice (by-hash of variants)
        return Corruption(f.path + ": the upstream names two different files at this path (" +
                          archive::ToHex(it->second) + " and " + archive::ToHex(f.sha256) + ")");
      }
      MV_RETURN_IF_ERROR(place(
          f.path,
          {.type = archive::EntryType::kFile, .size = f.size, .hash = f.sha256, .sha1 = f.sha1}));
    }
    MV_ASSIGN_OR_RETURN(archive::BuiltTree built, builder.Build());
    if (base_) {
      LogDebug("the previous run's tree is edited",
               {{"run", run_.RunName()}, {"folders_made_anew", touched_.size()}});
      edits.subtrees.emplace("dists", std::move(built));
      MV_ASSIGN_OR_RETURN(built, archive::EditTree(*nodes_, base_->root, std::move(edits)));
    }
    MirrorSummary summary;
    summary.index_files = index_files_;
    summary.pool_files = pool_.size();
    for (const auto& [path, pf] : pool_) summary.pool_bytes += pf.file.size;
    summary.downloaded_files = downloaded_files_.load();
    summary.downloaded_bytes = downloaded_bytes_.load();
    summary.known_files = run_.known_answers() + kept_contents_;
    if (base_) summary.pool_folders_rebuilt = touched_.size();
    summary.peak_downloads = pool_window_;

    for (auto& [key, value] : SelectionDetails(options_, selection_->partial(), without_))
      details_[key] = std::move(value);
    details_["selected_pool_files"] = std::to_string(pool_.size());
    MV_ASSIGN_OR_RETURN(summary.record, run_.Commit(std::move(built), Source(details_)));
    return summary;
  }

 private:
  // The indexes of a suite's Release this mirror takes.
  apt::IndexSelection Selection(bool flat) const {
    return {.components = options_.components,
            .architectures = options_.architectures,
            .sources = options_.sources,
            .without = without_,
            .flat = flat,
            .installer_images = options_.installer_images};
  }

  // The run's source: this upstream, with `details`.
  archive::RunSource Source(std::map<std::string, std::string> details) const {
    return {.kind = "upstream",
            .location = RedactUrl(options_.upstream),
            .details = std::move(details)};
  }

  // InRelease, else Release + Release.gpg, checked (importer/suite_release.h); the files
  // upstream serves are added to the tree. Returns the Release's text.
  Result<std::string> FetchRelease(const std::string& suite, const std::string& dists,
                                   const std::string& where) {
    MV_ASSIGN_OR_RETURN(
        SuiteRelease release,
        FetchSuiteRelease(fetcher_, dists, where, options_.keyring, options_.no_verify));
    details_["signed_by/" + suite] = release.signed_by;
    for (const auto& [name, bytes] : release.files)
      MV_RETURN_IF_ERROR(AddBytes(dists + name, bytes));
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
      return Corruption(path + ": does not match the Release: it lists " + idx.entry.sha256 + " (" +
                        std::to_string(idx.entry.size) + " bytes), the upstream sent more bytes");
    }
    MV_RETURN_IF_ERROR(got.status());
    Digests d = [&] {
      ContentHasher h;
      h.Update(*got);
      return h.Finish();
    }();
    if (got->size() != idx.entry.size || d.sha256 != sha) {
      std::string head = got->substr(0, 40);
      for (char& c : head) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '.';
      }
      return Corruption(path + ": does not match the Release: it lists " + idx.entry.sha256 + " (" +
                        std::to_string(idx.entry.size) + " bytes), the upstream sent " +
                        archive::ToHex(d.sha256) + " (" + std::to_string(got->size()) +
                        " bytes, starting \"" + head + "\")");
    }
    MV_RETURN_IF_ERROR(store_->PutBytes(archive::BlobKey(sha), *got,
                                        {.expected_sha256 = idx.entry.sha256, .defer_sync = true}));
    Stored(sha, d.sha1, got->size());
    // Only the indexes that name pool files are read again; the others are in the store.
    if (idx.kind == apt::IndexKind::kPackages || idx.kind == apt::IndexKind::kSources ||
        idx.kind == apt::IndexKind::kInstallerPackages ||
        idx.kind == apt::IndexKind::kInstallerImages) {
      out.bytes = std::move(*got);
    }
    out.present = true;
    return Status::Ok();
  }

  // The images an installer folder's SHA256SUMS (at `path`, checked against the Release) lists:
  // pool-like files beside it, verified by their SHA-256 (SHA256SUMS gives no sizes).
  Status ReadImages(const std::string& path, const FetchedIndex& f) {
    MV_ASSIGN_OR_RETURN(std::string text, IndexText(path, f));
    MV_ASSIGN_OR_RETURN(std::vector<apt::Sha256SumsEntry> sums, apt::ParseSha256Sums(text, path));
    const std::string dir = DirName(path);
    for (const apt::Sha256SumsEntry& e : sums) {
      if (e.path == "SHA256SUMS") continue;
      apt::PoolFile file{.path = dir + "/" + e.path, .size = 0, .sha256 = e.sha256};
      auto [it, inserted] =
          pool_.try_emplace(file.path, PoolEntry{file, path, /*size_known=*/false});
      if (!inserted && !(it->second.file == file)) {
        return Corruption(file.path + ": listed twice with different hashes (" +
                          it->second.file.sha256 + " by " + it->second.index + ", " + e.sha256 +
                          " by " + path + ")");
      }
    }
    return Status::Ok();
  }

  // The decompressed text of a fetched index (read back from the store when it was known).
  Result<std::string> IndexText(const std::string& path, const FetchedIndex& f) {
    if (f.bytes.empty() && f.index->entry.size > 0) {
      MV_ASSIGN_OR_RETURN(Sha256 sha, archive::ParseSha256(f.index->entry.sha256));
      MV_ASSIGN_OR_RETURN(std::string stored, store_->GetBytes(archive::BlobKey(sha),
                                                               {.size_hint = f.index->entry.size}));
      return Decompressed(std::move(stored), CompressionFromName(path), path,
                          apt::kMaxDecompressedIndex);
    }
    return Decompress(f.bytes, CompressionFromName(path), path, apt::kMaxDecompressedIndex);
  }

  // The closure of the selection and the suite's derived view (importer/derived_view.h): its
  // pool files are the run's, its indexes and signed Release go under view/dists/<suite>/.
  Status AddView(const std::string& suite, const apt::Release& release,
                 const std::vector<ViewIndex>& indexes, const std::string& where) {
    MV_ASSIGN_OR_RETURN(
        SuiteView view,
        BuildSuiteView(
            release, indexes,
            [&](std::string_view name) { return selection_->Selected(std::string(name)); },
            {.recommends = options_.with_recommends, .signing_key = options_.signing_key}, where));
    const std::string from = "the derived view of " + suite;
    for (const apt::PoolFile& f : view.pool) MV_RETURN_IF_ERROR(AddPool(f, from));
    for (const apt::WrittenFile& f : view.files) {
      MV_RETURN_IF_ERROR(AddBytes(kViewPrefix + "dists/" + suite + "/" + f.path, f.bytes));
    }
    for (const apt::UnsatisfiedDependency& u : view.unsatisfied) {
      LogWarn("unsatisfied dependency in the closure", {{"suite", suite},
                                                        {"package", u.package},
                                                        {"architecture", u.architecture},
                                                        {"field", u.field},
                                                        {"needs", u.group}});
    }
    details_["view/" + suite] = std::to_string(view.binary_packages) + " binary, " +
                                std::to_string(view.source_packages) + " source packages, " +
                                std::to_string(view.unsatisfied.size()) +
                                " unsatisfied dependencies";
    return Status::Ok();
  }

  // The pool files of an index's packages (of the selection). `parsed_before`: its paragraphs
  // were all parsed before (apt::ForEachBinaryPoolFile reads only a package's file).
  Status ReadPoolFiles(const std::string& path, apt::IndexKind kind, std::string_view text,
                       bool parsed_before) {
    const bool binary =
        kind == apt::IndexKind::kPackages || kind == apt::IndexKind::kInstallerPackages;
    if (binary && parsed_before) {
      return apt::ForEachBinaryPoolFile(
          text, path, [&](std::string_view package, const apt::PoolFile& file) -> Status {
            if (!selection_->Selected(std::string(package))) return Status::Ok();
            return AddPool(file, path);
          });
    }
    if (binary) {
      return apt::ForEachBinaryPackage(text, path, [&](const apt::BinaryPackage& p) -> Status {
        if (!selection_->Selected(p.package)) return Status::Ok();
        return AddPool(p.file, path);
      });
    }
    return apt::ForEachSourcePackage(text, path, [&](const apt::SourcePackage& p) -> Status {
      if (!selection_->Selected(p.package)) return Status::Ok();
      for (const apt::PoolFile& file : p.files) MV_RETURN_IF_ERROR(AddPool(file, path));
      return Status::Ok();
    });
  }

  // This run's version of a pool index, for TouchChangedFolders.
  struct IndexNow {
    const apt::SelectedIndex* index = nullptr;
    const std::string* text = nullptr;  // decompressed
  };

  // The pool folders of the paragraphs of one index that differ from the previous run's version
  // of it (any of `variants` that run holds: one content, other compressions), or of all its
  // paragraphs when that run had none or this run has none (`now` null): those folders are made
  // anew from the pool files, the rest of the previous pool is kept as it is.
  Status TouchChangedFolders(const std::string& dists, apt::IndexKind kind,
                             const std::vector<const apt::SelectedIndex*>& variants,
                             std::optional<IndexNow> now) {
    std::vector<const apt::SelectedIndex*> order;
    if (now) order.push_back(now->index);
    for (const apt::SelectedIndex* v : variants) {
      if (!now || v != now->index) order.push_back(v);
    }
    std::string before;
    std::string before_path = "(none)";
    for (const apt::SelectedIndex* v : order) {
      const std::string path = dists + v->path;
      MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> held, ParentEntry(path));
      if (!held) continue;
      if (now && v == now->index && archive::ToHex(held->hash) == v->entry.sha256) {
        return Status::Ok();  // the same index: the same pool
      }
      MV_ASSIGN_OR_RETURN(std::string raw, store_->GetBytes(archive::BlobKey(held->hash),
                                                            {.size_hint = held->size}));
      Result<std::string> text =
          Decompressed(std::move(raw), CompressionFromName(path), path, apt::kMaxDecompressedIndex);
      if (!text.ok()) return GiveUpBase("the previous run's " + path, text.status());
      before = std::move(*text);
      before_path = start_.parent->run_id.ToString() + ":" + path;
      break;
    }
    const std::string now_path = now ? dists + now->index->path : "(none)";
    Result<apt::ParagraphDiff> diff = apt::DiffParagraphs(
        before, before_path, now ? *now->text : std::string_view(), now_path, {});
    if (!diff.ok()) return GiveUpBase(now_path, diff.status());
    auto touch = [&](const apt::PoolFile& f) { touched_.insert(DirName(f.path)); };
    for (const auto* side : {&diff->added, &diff->removed}) {
      const std::string& where = side == &diff->added ? now_path : before_path;
      for (const apt::DiffedParagraph& p : *side) {
        Status parsed = kind == apt::IndexKind::kSources
                            ? apt::ForEachSourcePackage(
                                  p.text, where,
                                  [&](const apt::SourcePackage& sp) {
                                    for (const apt::PoolFile& f : sp.files) touch(f);
                                    return Status::Ok();
                                  },
                                  p.line)
                            : apt::ForEachBinaryPackage(
                                  p.text, where,
                                  [&](const apt::BinaryPackage& b) {
                                    touch(b.file);
                                    return Status::Ok();
                                  },
                                  p.line);
        // This run's paragraphs were parsed whole by ReadPoolFiles; the previous run's were when
        // it was mirrored.
        if (!parsed.ok()) return GiveUpBase(where, parsed);
      }
    }
    return Status::Ok();
  }

  // The pool indexes the previous run held for `suite` that this run has not: every pool folder
  // they named is made anew. `by_base`: this run's indexes by base.
  Status TouchGoneIndexes(const std::string& suite, const std::string& dists,
                          const std::map<std::string, std::vector<const FetchedIndex*>>& by_base,
                          const std::string& where) {
    std::string release_text;
    MV_ASSIGN_OR_RETURN(std::optional<Sha256> inrelease, ParentFile(dists + "InRelease"));
    if (inrelease) {
      MV_ASSIGN_OR_RETURN(std::string bytes, store_->GetBytes(archive::BlobKey(*inrelease)));
      Result<std::string> text = apt::ClearsignedText(bytes, dists + "InRelease");
      if (!text.ok()) return GiveUpBase("the previous run's " + dists + "InRelease", text.status());
      release_text = std::move(*text);
    } else {
      MV_ASSIGN_OR_RETURN(std::optional<Sha256> release, ParentFile(dists + "Release"));
      if (!release) return GiveUpBase(suite, NotFound("the previous run has no Release"));
      MV_ASSIGN_OR_RETURN(release_text, store_->GetBytes(archive::BlobKey(*release)));
    }
    Result<apt::Release> parsed = apt::ParseRelease(release_text, dists + "Release");
    if (!parsed.ok()) return GiveUpBase("the previous run's Release", parsed.status());
    Result<std::vector<apt::SelectedIndex>> selected =
        apt::SelectIndexes(*parsed, Selection(/*flat=*/false), where);
    if (!selected.ok()) return GiveUpBase("the previous run's Release", selected.status());
    std::map<std::string, std::vector<const apt::SelectedIndex*>> then;
    for (const apt::SelectedIndex& s : *selected) {
      const bool udebs =
          s.kind == apt::IndexKind::kInstallerPackages &&
          std::find(without_.begin(), without_.end(), apt::IndexPart::kUdeb) == without_.end();
      if (s.kind == apt::IndexKind::kPackages || s.kind == apt::IndexKind::kSources || udebs) {
        then[s.base].push_back(&s);
      }
    }
    for (const auto& [base, variants] : then) {
      auto now = by_base.find(base);
      bool present = false;
      if (now != by_base.end()) {
        for (const FetchedIndex* f : now->second) present = present || f->present;
      }
      if (present) continue;
      MV_RETURN_IF_ERROR(
          TouchChangedFolders(dists, variants.front()->kind, variants, std::nullopt));
    }
    return Status::Ok();
  }

  // Something of the previous run cannot be compared: the run's tree is built whole instead.
  Status GiveUpBase(const std::string& what, const Status& why) {
    LogWarn("the previous run cannot be compared; the run's tree is built whole",
            {{"what", what}, {"error", why.ToString()}});
    base_.reset();
    return Status::Ok();
  }

  // Whether a pool file belongs to this run's tree as built: every one when built whole; when
  // the previous run's tree is edited, those of the folders made anew and of dists/.
  bool Rebuilt(const std::string& path) const {
    return !base_ || path.starts_with("dists/") || touched_.contains(DirName(path));
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

  // Whether the store has the content (run_builder.h).
  Result<bool> Known(const Sha256& sha) { return run_.Known(sha); }

  // A content this mirror downloaded and stored.
  void Stored(const Sha256& sha, const Sha1& sha1, uint64_t size) {
    run_.Stored(sha, sha1, size);
    downloaded_files_ += 1;
    downloaded_bytes_ += size;
  }

  // A file of the tree whose content is known or stored.
  Status AddFile(const std::string& path, const Sha256& sha) EXCLUDES(mu_) {
    std::optional<LedgerContent> c = run_.Find(sha);
    if (!c) return Internal(path + ": content neither known nor stored");
    util::MutexLock lock(mu_);
    files_.push_back({path, sha, c->sha1, c->size});
    return Status::Ok();
  }

  // The file at `path` in the archive's previous run, if it has one there.
  Result<std::optional<archive::TreeEntry>> ParentEntry(const std::string& path) {
    if (!start_.parent) return std::optional<archive::TreeEntry>();
    Result<archive::TreeEntry> entry = archive::LookupPath(*nodes_, start_.parent->root, path);
    if (entry.status().IsNotFound()) return std::optional<archive::TreeEntry>();
    MV_RETURN_IF_ERROR(entry.status());
    if (entry->type != archive::EntryType::kFile) return std::optional<archive::TreeEntry>();
    return std::optional<archive::TreeEntry>(std::move(*entry));
  }

  // The content at `path` in the archive's previous run, if it has a file there.
  Result<std::optional<Sha256>> ParentFile(const std::string& path) {
    MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> entry, ParentEntry(path));
    if (!entry) return std::optional<Sha256>();
    return std::optional<Sha256>(entry->hash);
  }

  // A small file fetched whole (InRelease, Release, Release.gpg): stored and added.
  Status AddBytes(const std::string& path, std::string_view bytes) {
    ContentHasher h;
    h.Update(bytes);
    Digests d = h.Finish();
    const Sha256& sha = d.sha256;
    MV_ASSIGN_OR_RETURN(bool known, Known(sha));
    if (!known) {
      MV_RETURN_IF_ERROR(
          store_->PutBytes(archive::BlobKey(sha), bytes,
                           {.expected_sha256 = archive::ToHex(sha), .defer_sync = true}));
      Stored(sha, d.sha1, bytes.size());
    }
    index_files_ += 1;
    return AddFile(path, sha);
  }

  struct PoolEntry {
    apt::PoolFile file;
    std::string index;       // the index that first named it
    bool size_known = true;  // false: an installer image (SHA256SUMS lists no size)
  };

  std::shared_ptr<store::ObjectStore> store_;
  archive::Catalog& catalog_;
  UpstreamFetcher& fetcher_;
  const MirrorOptions& options_;
  RunBuilder& run_;
  const RunStart& start_;
  std::optional<PackageFilter> selection_;      // set by Prepare
  std::vector<apt::IndexPart> without_;         // set by Prepare
  std::unique_ptr<archive::NodeSource> nodes_;  // the previous run's tree (thread-safe)
  std::map<std::string, std::string> details_;
  std::map<std::string, apt::Release> releases_;     // by suite (TakeSuiteRelease)
  std::optional<archive::RunRecord> parent_record_;  // set when SameAsParent
  // Set by ChooseBase when the run is made by editing that run's tree (reset when something of it
  // cannot be compared); then touched_ holds the pool folders made anew.
  std::optional<archive::RunRecord> base_;
  std::set<std::string> touched_;
  size_t kept_contents_ = 0;  // distinct contents of the pool folders kept
  size_t pool_window_ = 0;    // the most pool downloads in flight

  util::Mutex mu_;
  std::vector<TreeFile> files_ GUARDED_BY(mu_);
  std::map<std::string, std::string> symlinks_ GUARDED_BY(mu_);  // path -> target
  std::map<std::string, PoolEntry> pool_;                        // by path
  uint64_t index_files_ = 0;
  std::atomic<uint64_t> downloaded_files_{0}, downloaded_bytes_{0};
};

}  // namespace

Result<MirrorSummary> MirrorUpstream(std::shared_ptr<store::ObjectStore> store,
                                     archive::Catalog& catalog,
                                     std::shared_ptr<http::HttpClient> http,
                                     const MirrorOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  const auto started_steady = clock.SteadyNow();
  const auto started = clock.Now();
  MV_RETURN_IF_ERROR(CheckMirrorOptions(options));
  RunBuilderOptions run_options = RunBuilderOptionsOf(options);
  run_options.started = started;
  run_options.phases_name = "mirror";
  MV_ASSIGN_OR_RETURN(std::unique_ptr<RunBuilder> run,
                      RunBuilder::Start(store, catalog, run_options));
  UpstreamFetcher fetcher(std::move(http), options.upstream, options.fetch);
  Mirror mirror(store, catalog, fetcher, options, *run);
  MV_RETURN_IF_ERROR(mirror.Prepare());
  run->Phase("start");
  const std::string what = "mirror of " + RedactUrl(options.upstream) + " into " + run->RunName();
  for (const std::string& suite : options.suites) {
    MV_RETURN_IF_ERROR(mirror.TakeSuiteRelease(suite).WithContext(what));
  }
  MV_ASSIGN_OR_RETURN(bool same, mirror.SameAsParent());
  Result<MirrorSummary> committed = Internal("not committed");
  if (same) {
    run->Phase("releases");
    committed = mirror.CommitParentTree();
  } else {
    mirror.ChooseBase();
    for (const std::string& suite : options.suites) {
      MV_RETURN_IF_ERROR(mirror.MirrorSuite(suite).WithContext(what));
    }
    run->Phase("releases_and_indexes");
    MV_RETURN_IF_ERROR(mirror.FetchPool().WithContext(what));
    run->Phase("pool");
    committed = mirror.Commit();
  }
  MV_RETURN_IF_ERROR(committed.status());
  MirrorSummary summary = std::move(*committed);
  summary.requests = fetcher.counters().requests.load();
  summary.retries = fetcher.counters().retries.load();
  MV_ASSIGN_OR_RETURN(summary.package_index, run->Finish());
  summary.elapsed = clock.SteadyNow() - started_steady;
  return summary;
}

}  // namespace mv::importer
