#include "retention/removal.h"

#include <algorithm>
#include <set>

#include "archive/recovery.h"
#include "retention/fence.h"
#include "util/log.h"
#include "util/task_group.h"
#include "util/time_format.h"

namespace mv::retention {
namespace {

using archive::RemovedFile;

// The removed blobs of `removals` still in the store, each with the removal that names it: a HEAD
// each, `concurrency` at once.
Result<std::vector<std::pair<std::string, std::string>>> PresentBlobs(
    store::ObjectStore& store, const std::vector<archive::Removal>& removals, size_t concurrency) {
  std::vector<std::pair<std::string, std::string>> all;  // key, removal id
  for (const archive::Removal& r : removals) {
    for (const RemovedFile& f : r.files) all.emplace_back(archive::BlobKey(f.sha256), r.id);
  }
  std::vector<char> there(all.size(), 0);
  MV_RETURN_IF_ERROR(ParallelFor(all.size(),
                                 [&](size_t i) -> Status {
                                   Result<store::ObjectInfo> head = store.Head(all[i].first);
                                   if (head.ok()) {
                                     there[i] = 1;
                                   } else if (head.status().code() != StatusCode::kNotFound) {
                                     return head.status().WithContext("removal " + all[i].second);
                                   }
                                   return Status::Ok();
                                 },
                                 {.max_in_flight = std::max<size_t>(concurrency, 1)}));
  std::vector<std::pair<std::string, std::string>> present;
  for (size_t i = 0; i < all.size(); ++i) {
    if (there[i] != 0) present.push_back(std::move(all[i]));
  }
  return present;
}

// Under the fence: every removed blob still there deleted. `always_fence`: a removal just
// recorded, whose blobs a writer that started before it may still write.
Status DeleteRemovedBlobs(store::ObjectStore& store, archive::Catalog& catalog,
                          const std::vector<archive::Removal>& removals, bool always_fence,
                          const RemoveOptions& options, RemoveSummary& summary) {
  MV_ASSIGN_OR_RETURN(auto present, PresentBlobs(store, removals, options.concurrency));
  if (present.empty() && !always_fence) return Status::Ok();
  MV_ASSIGN_OR_RETURN(
      std::unique_ptr<archive::WriterLock> fence,
      RaiseFence(catalog, "mirrorvault remove (" + options.who + ")", options.wait, options.clock));
  // Again, under the fence: a writer that finished meanwhile may have written one.
  MV_ASSIGN_OR_RETURN(present, PresentBlobs(store, removals, options.concurrency));
  std::vector<std::string> keys;
  std::set<std::string> finished;
  for (const auto& [key, id] : present) {
    keys.push_back(key);
    if (id != summary.removal.id) finished.insert(id);  // an earlier removal, cut short
  }
  if (!keys.empty()) {
    MV_RETURN_IF_ERROR(fence->Confirm().WithContext("remove: the fence was lost; stopping"));
    MV_RETURN_IF_ERROR(store.DeleteMany(keys, nullptr));
  }
  summary.blobs_deleted += keys.size();
  summary.removals_finished += finished.size();
  return fence->Release();
}

// The store's removal records the catalog lacks (a removal cut short before the catalog heard of
// it, or made by another catalog's process), recorded in it unless `dry_run`.
Result<std::vector<archive::Removal>> RecordNewStoredRemovals(store::ObjectStore& store,
                                                              archive::Catalog& catalog,
                                                              bool dry_run) {
  MV_ASSIGN_OR_RETURN(std::set<std::string> known, catalog.RemovalIds());
  MV_ASSIGN_OR_RETURN(std::vector<archive::Removal> fresh,
                      archive::ListStoredRemovals(store, known));
  if (!dry_run) {
    for (const archive::Removal& r : fresh) MV_RETURN_IF_ERROR(catalog.RecordRemoval(r));
  }
  return fresh;
}

}  // namespace

Result<std::vector<RemovedFile>> ResolveHashes(archive::Catalog& catalog,
                                               const std::vector<std::string>& hashes) {
  std::vector<RemovedFile> out;
  for (const std::string& hash : hashes) {
    std::vector<archive::FileIdentity> found;
    if (hash.size() == 64) {
      MV_ASSIGN_OR_RETURN(archive::Sha256 sha, archive::ParseSha256(hash, "hash '" + hash + "'"));
      MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> one, catalog.FileBySha256(sha));
      if (one) found.push_back(*one);
    } else if (hash.size() == 40) {
      MV_ASSIGN_OR_RETURN(archive::Sha1 sha, archive::ParseSha1(hash, "hash '" + hash + "'"));
      MV_ASSIGN_OR_RETURN(found, catalog.FilesBySha1(sha));
    } else {
      return InvalidArgument("'" + hash +
                             "' is neither a SHA-256 (64 hex digits) nor a SHA-1 (40)");
    }
    if (found.empty()) {
      return NotFound("no file with hash " + hash + " in the catalog " + catalog.Describe() +
                      " (nothing was removed)");
    }
    for (const archive::FileIdentity& f : found) {
      out.push_back({.sha256 = f.sha256, .sha1 = f.sha1, .size = f.size});
    }
  }
  return out;
}

Result<RemoveSummary> RemoveFiles(store::ObjectStore& store, archive::Catalog& catalog,
                                  std::vector<RemovedFile> files, const RemoveOptions& options) {
  if (options.reason.empty()) return InvalidArgument("a removal needs a reason (--reason)");
  if (files.empty()) return InvalidArgument("nothing to remove: no file given");
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  std::sort(files.begin(), files.end(),
            [](const RemovedFile& a, const RemovedFile& b) { return a.sha256 < b.sha256; });
  files.erase(
      std::unique(files.begin(), files.end(),
                  [](const RemovedFile& a, const RemovedFile& b) { return a.sha256 == b.sha256; }),
      files.end());
  RemoveSummary summary;
  // Finish what earlier removals left first: the records the catalog lacks are told to it.
  MV_ASSIGN_OR_RETURN(std::vector<archive::Removal> stored,
                      RecordNewStoredRemovals(store, catalog, options.dry_run));
  std::vector<RemovedFile> fresh;
  for (const RemovedFile& f : files) {
    MV_ASSIGN_OR_RETURN(std::optional<std::string> earlier, catalog.RemovalOf(f.sha256));
    const bool in_store = std::any_of(stored.begin(), stored.end(), [&](const archive::Removal& r) {
      return std::any_of(r.files.begin(), r.files.end(),
                         [&](const RemovedFile& g) { return g.sha256 == f.sha256; });
    });
    (earlier || in_store ? summary.already_removed : fresh).push_back(f);
  }
  const auto now = clock.Now();
  MV_ASSIGN_OR_RETURN(RunId when, RunId::FromTimePoint(now));
  std::string id = archive::RemovalId(when, fresh, options.reason);
  summary.removal = {.id = std::move(id),
                     .removed = FormatRfc3339(now),
                     .removed_by = options.who,
                     .reason = options.reason,
                     .files = std::move(fresh)};
  if (options.dry_run) return summary;
  if (!summary.removal.files.empty()) {
    // The commit point.
    MV_RETURN_IF_ERROR(store.PutBytes(archive::RemovalKey(summary.removal.id),
                                      archive::EncodeRemoval(summary.removal),
                                      {.if_absent = true, .content_type = "application/json"}));
    MV_RETURN_IF_ERROR(catalog.RecordRemoval(summary.removal));
    if (options.on_recorded) {
      if (Status st = options.on_recorded(summary.removal); !st.ok()) {
        LogWarn("a removal could not be noted",
                {{"removal", summary.removal.id}, {"error", st.ToString()}});
      }
    }
    LogInfo("files removed", {{"removal", summary.removal.id},
                              {"by", options.who},
                              {"reason", options.reason},
                              {"files", std::to_string(summary.removal.files.size())}});
  }
  MV_ASSIGN_OR_RETURN(summary.unfinished, catalog.ListUnfinishedRemovals());
  MV_RETURN_IF_ERROR(DeleteRemovedBlobs(store, catalog, summary.unfinished,
                                        /*always_fence=*/!summary.removal.files.empty(), options,
                                        summary));
  return summary;
}

Status FinishRemovals(store::ObjectStore& store, archive::Catalog& catalog,
                      const RemoveOptions& options, RemoveSummary& summary) {
  MV_RETURN_IF_ERROR(RecordNewStoredRemovals(store, catalog, /*dry_run=*/false).status());
  MV_ASSIGN_OR_RETURN(summary.unfinished, catalog.ListUnfinishedRemovals());
  return DeleteRemovedBlobs(store, catalog, summary.unfinished, /*always_fence=*/false, options,
                            summary);
}

}  // namespace mv::retention
