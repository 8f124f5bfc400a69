#include "server/archive_view.h"

#include "archive/run_view.h"
#include "util/run_id.h"

namespace mv::server {

ArchiveView::ArchiveView(archive::Catalog* catalog, std::unique_ptr<archive::NodeSource> nodes,
                         Clock& clock, ArchiveViewOptions options)
    : catalog_(catalog),
      nodes_(std::move(nodes)),
      clock_(clock),
      options_(options),
      lookups_(options.lookup_cache_entries),
      listings_(options.listing_cache_entries) {}

Result<std::vector<std::string>> ArchiveView::Archives() { return catalog_->ListArchives(); }

Result<std::shared_ptr<const RunList>> ArchiveView::FetchRuns(std::string_view archive,
                                                              bool force) {
  const std::string key(archive);
  auto now = clock_.SteadyNow();
  if (!force) {
    if (auto cached = runs_.Get(key); cached && now - cached->fetched < options_.run_list_ttl) {
      run_hits_.fetch_add(1, std::memory_order_relaxed);
      return cached->runs;
    }
  }
  run_misses_.fetch_add(1, std::memory_order_relaxed);
  // The archive's change counter first: unchanged, the list we hold is current. Changed by runs
  // added after the newest we hold (an import), the runs after it are all we read: a seek,
  // whatever the history's length. Otherwise (a run inserted earlier, or deleted) the whole list.
  MV_ASSIGN_OR_RETURN(int64_t changes, catalog_->RunChanges(archive));
  std::shared_ptr<const CachedRuns> cached = runs_.Get(key);
  std::shared_ptr<const RunList> list;
  if (cached && cached->changes == changes) {
    list = cached->runs;
  } else {
    std::vector<archive::RunRow> rows;
    bool appended = false;
    if (cached && !cached->runs->empty()) {
      MV_ASSIGN_OR_RETURN(rows, catalog_->ListRunsAfter(archive, cached->runs->back().run_id));
      // Only additions after our newest, and none since the counter was read (a run committed
      // in between could otherwise stand in for an earlier one inserted before it).
      MV_ASSIGN_OR_RETURN(int64_t after_listing, catalog_->RunChanges(archive));
      appended = after_listing == changes &&
                 changes - cached->changes == static_cast<int64_t>(rows.size());
    }
    if (!appended) {
      MV_ASSIGN_OR_RETURN(rows, catalog_->ListRunsAfter(archive, std::nullopt));
    }
    auto fresh = std::make_shared<RunList>();
    fresh->reserve((appended ? cached->runs->size() : 0) + rows.size());
    if (appended) fresh->assign(cached->runs->begin(), cached->runs->end());
    for (const archive::RunRow& row : rows) {
      fresh->push_back({row.archive, row.run_id, row.root, row.files, row.bytes});
    }
    run_rows_read_.fetch_add(rows.size(), std::memory_order_relaxed);
    list = std::move(fresh);
  }
  runs_.Put(key, std::make_shared<const CachedRuns>(CachedRuns{list, changes, now}));
  return list;
}

Result<std::shared_ptr<const RunList>> ArchiveView::Runs(std::string_view archive) {
  MV_ASSIGN_OR_RETURN(std::shared_ptr<const RunList> runs, FetchRuns(archive, false));
  if (runs->empty()) return NotFound("no archive named \"" + std::string(archive) + "\"");
  return runs;
}

Result<RunInfo> ArchiveView::Resolve(std::string_view archive, std::string_view timestamp) {
  Result<std::optional<RunId>> moment = archive::ParseMoment(timestamp);
  if (!moment.ok()) {
    return InvalidArgument("bad timestamp \"" + std::string(timestamp.substr(0, 40)) +
                           "\": use YYYYMMDD, YYYYMMDDTHHMMSSZ or now");
  }
  MV_ASSIGN_OR_RETURN(std::shared_ptr<const RunList> runs, Runs(archive));
  // A run id newer than the cached list may have been committed since: ask once more.
  if (*moment && **moment > runs->back().run_id && timestamp.size() == RunId::kLength) {
    MV_ASSIGN_OR_RETURN(runs, FetchRuns(archive, true));
  }
  MV_ASSIGN_OR_RETURN(const RunInfo* run, archive::RunAtMoment(archive, *runs, *moment));
  return *run;
}

Result<archive::TreeEntry> ArchiveView::Lookup(const RunInfo& run, std::string_view path) {
  std::string key = archive::ToHex(run.root);
  key += ':';
  key += path;
  if (auto cached = lookups_.Get(key)) {
    lookup_hits_.fetch_add(1, std::memory_order_relaxed);
    if (cached->found) return cached->entry;
    return cached->error;
  }
  lookup_misses_.fetch_add(1, std::memory_order_relaxed);
  Result<archive::TreeEntry> entry = archive::ResolvePath(*nodes_, run.root, path);
  auto value = std::make_shared<CachedLookup>();
  if (entry.ok()) {
    value->found = true;
    value->entry = *entry;
  } else if (entry.status().code() == StatusCode::kNotFound) {
    value->error = entry.status();  // absent paths stay absent: trees never change
  } else {
    return entry.status();  // a store or catalog failure is not remembered
  }
  lookups_.Put(key, value);
  return entry;
}

Result<std::shared_ptr<const std::vector<archive::TreeEntry>>> ArchiveView::List(
    const archive::Sha256& dir) {
  const std::string key = archive::ToHex(dir);
  if (auto cached = listings_.Get(key)) {
    listing_hits_.fetch_add(1, std::memory_order_relaxed);
    return cached;
  }
  listing_misses_.fetch_add(1, std::memory_order_relaxed);
  MV_ASSIGN_OR_RETURN(std::vector<archive::TreeEntry> entries,
                      archive::ListDirectory(*nodes_, dir));
  auto value = std::make_shared<const std::vector<archive::TreeEntry>>(std::move(entries));
  listings_.Put(key, value, std::max<size_t>(1, value->size()));
  return std::shared_ptr<const std::vector<archive::TreeEntry>>(value);
}

ViewStats ArchiveView::Stats() const {
  return {lookup_hits_.load(), lookup_misses_.load(), listing_hits_.load(), listing_misses_.load(),
          run_hits_.load(),    run_misses_.load(),    run_rows_read_.load()};
}

}  // namespace mv::server
