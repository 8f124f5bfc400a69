#include "importer/run_builder.h"

#include <future>
#include <mutex>
#include <set>
#include <tuple>

#include "archive/commit.h"
#include "util/log.h"
#include "util/time_format.h"

namespace mv::importer {

using archive::Sha1;
using archive::Sha256;

// Written inside its once_flag's call, read after it (call_once orders the two).
struct RunBuilder::Settling {
  std::once_flag once;
  Status status;
};

Result<std::unique_ptr<RunBuilder>> RunBuilder::Start(std::shared_ptr<store::ObjectStore> store,
                                                      archive::Catalog& catalog,
                                                      const RunBuilderOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  const auto mark = clock.SteadyNow();
  MV_ASSIGN_OR_RETURN(RunStart start, StartRun(*store, catalog,
                                               {.archive = options.archive,
                                                .run_id = options.run_id,
                                                .started = options.started,
                                                .writer = options.writer,
                                                .lock_wait = options.lock_wait,
                                                .clock = &clock}));
  // Read under the lock: a removal recorded before it was taken is seen here, and one recorded
  // later waits for this run to end before deleting its blobs (retention/fence.h).
  MV_ASSIGN_OR_RETURN(std::vector<archive::Removal> removals, catalog.ListRemovals());
  return std::unique_ptr<RunBuilder>(
      new RunBuilder(std::move(store), catalog, options, std::move(start), mark, removals));
}

RunBuilder::RunBuilder(std::shared_ptr<store::ObjectStore> store, archive::Catalog& catalog,
                       const RunBuilderOptions& options, RunStart start,
                       std::chrono::steady_clock::time_point mark,
                       const std::vector<archive::Removal>& removals)
    : store_(std::move(store)),
      catalog_(catalog),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : SystemClock()),
      start_(std::move(start)),
      mark_(mark) {
  util::MutexLock lock(mu_);
  for (const archive::Removal& r : removals) {
    for (const archive::RemovedFile& f : r.files) {
      contents_[f.sha256] = {.content = {.sha1 = f.sha1, .size = f.size}, .withdrawn = true};
    }
  }
}

RunBuilder::~RunBuilder() = default;

std::string RunBuilder::RunName() const {
  return options_.archive + "@" + start_.run_id.ToString();
}

void RunBuilder::Remember(const Sha256& sha, const archive::FileIdentity& found) {
  Entry& e = contents_[sha];
  e.content = {.sha1 = found.sha1, .size = found.size};
  e.earlier_here =
      std::tie(start_.run_id, options_.archive) < std::tie(found.first_run, found.first_archive);
  known_answers_ += 1;
}

Result<bool> RunBuilder::Known(const Sha256& sha) {
  {
    util::MutexLock lock(mu_);
    if (contents_.count(sha) != 0) {
      known_answers_ += 1;
      return true;
    }
  }
  MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> found, catalog_.FileBySha256(sha));
  if (!found) return false;
  util::MutexLock lock(mu_);
  Remember(sha, *found);
  return true;
}

Result<std::vector<bool>> RunBuilder::KnownMany(std::span<const Sha256> shas) {
  MV_ASSIGN_OR_RETURN(std::vector<std::optional<archive::FileIdentity>> found,
                      catalog_.FilesBySha256(std::vector<Sha256>(shas.begin(), shas.end())));
  std::vector<bool> known(shas.size(), false);
  util::MutexLock lock(mu_);
  for (size_t i = 0; i < shas.size(); ++i) {
    if (contents_.count(shas[i]) != 0) {
      known_answers_ += 1;
    } else if (found[i]) {
      Remember(shas[i], *found[i]);
    } else {
      continue;
    }
    known[i] = true;
  }
  return known;
}

bool RunBuilder::Stored(const Sha256& sha, const Sha1& sha1, uint64_t size) {
  util::MutexLock lock(mu_);
  Entry& e = contents_[sha];
  e.content = {.sha1 = sha1, .size = size};
  if (e.uploaded) return false;
  e.uploaded = true;
  new_files_ += 1;
  new_bytes_ += size;
  return true;
}

Status RunBuilder::EnsureStored(const Sha256& sha, const Sha1& sha1, uint64_t size,
                                const std::function<Status()>& store_it) {
  Settling* settling;
  {
    util::MutexLock lock(mu_);
    if (auto it = contents_.find(sha); it != contents_.end() && it->second.withdrawn) {
      return Status::Ok();
    }
    std::unique_ptr<Settling>& slot = settling_[sha];
    if (!slot) slot = std::make_unique<Settling>();
    settling = slot.get();
  }
  std::call_once(settling->once, [&] {
    Result<std::optional<archive::FileIdentity>> found = catalog_.FileBySha256(sha);
    if (!found.ok()) {
      settling->status = found.status();
      return;
    }
    if (*found) {
      util::MutexLock lock(mu_);
      Remember(sha, **found);
      return;
    }
    settling->status = store_it();
    if (settling->status.ok()) Stored(sha, sha1, size);
  });
  return settling->status;
}

std::optional<LedgerContent> RunBuilder::Find(const Sha256& sha) const {
  util::MutexLock lock(mu_);
  auto it = contents_.find(sha);
  if (it == contents_.end()) return std::nullopt;
  return it->second.content;
}

uint64_t RunBuilder::new_files() const {
  util::MutexLock lock(mu_);
  return new_files_;
}

uint64_t RunBuilder::new_bytes() const {
  util::MutexLock lock(mu_);
  return new_bytes_;
}

uint64_t RunBuilder::known_answers() const {
  util::MutexLock lock(mu_);
  return known_answers_;
}

void RunBuilder::SyncBlobs() {
  if (blobs_sync_.valid() || new_files() == 0) return;
  blobs_sync_ = std::async(std::launch::async, [store = store_] { return store->Sync(); });
}

void RunBuilder::Phase(std::string name) {
  const auto now = clock_.SteadyNow();
  AddPhase(std::move(name), std::chrono::duration_cast<std::chrono::milliseconds>(now - mark_));
  mark_ = now;
}

void RunBuilder::AddPhase(std::string name, std::chrono::milliseconds took) {
  phases_.emplace_back(std::move(name), took);
}

std::vector<archive::FileIdentity> RunBuilder::IdentitiesToRecord(const archive::BuiltTree& tree) {
  std::vector<archive::FileIdentity> out;
  std::set<Sha256> recorded;
  util::MutexLock lock(mu_);
  for (const archive::BuiltTree::File& f : tree.files_in_order) {
    auto it = contents_.find(f.entry.hash);
    if (it == contents_.end()) continue;  // vouched for by the producer (a stat cache): known
    if (!it->second.uploaded && !it->second.earlier_here) continue;
    if (!recorded.insert(f.entry.hash).second) continue;
    out.push_back({.sha256 = f.entry.hash,
                   .sha1 = f.entry.sha1,
                   .size = f.entry.size,
                   .first_archive = options_.archive,
                   .first_run = start_.run_id,
                   .first_path = f.path});
  }
  return out;
}

Result<archive::RunRecord> RunBuilder::Commit(archive::BuiltTree tree, archive::RunSource source,
                                              std::optional<archive::StatCacheDelta> stat_cache) {
  archive::CommitInput input;
  if (!blobs_sync_.valid()) SyncBlobs();
  input.blobs_sync = std::move(blobs_sync_);
  input.files = IdentitiesToRecord(tree);
  input.stat_cache = std::move(stat_cache);
  input.record.archive = options_.archive;
  input.record.run_id = start_.run_id;
  if (start_.parent) input.record.parent = start_.parent->run_id;
  input.record.new_files = new_files();
  input.record.new_bytes = new_bytes();
  input.record.source = std::move(source);
  input.record.writer = start_.writer;
  input.record.started = FormatRfc3339(options_.started);
  input.tree = std::move(tree);
  Result<archive::RunRecord> record =
      archive::CommitRun(*store_, catalog_, *start_.lock, std::move(input),
                         {.concurrency = options_.commit_concurrency, .clock = &clock_});
  Phase("commit");
  return record;
}

Result<IndexOutcome> RunBuilder::Finish() {
  IndexOutcome index =
      UpdatePackageIndex(options_.package_index, store_, catalog_, options_.archive);
  Phase("package_index");
  std::string phases;  // "walk=12ms,commit=80ms"
  for (const auto& [name, took] : phases_) {
    phases += (phases.empty() ? "" : ",") + name + "=" + std::to_string(took.count()) + "ms";
  }
  LogDebug(options_.phases_name + " phases", {{"archive", options_.archive}, {"phases", phases}});
  MV_RETURN_IF_ERROR(start_.lock->Release());
  return index;
}

}  // namespace mv::importer
