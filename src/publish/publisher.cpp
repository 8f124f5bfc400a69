#include "publish/publisher.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>

#include "apt/content_type.h"
#include "archive/ids.h"
#include "archive/run_view.h"
#include "util/strings.h"
#include "util/task_group.h"

namespace mv::publish {
namespace {

namespace fs = std::filesystem;

// Objects up to this size are copied through memory; larger ones through a temporary file.
constexpr uint64_t kInMemory = 16 << 20;
constexpr const char* kShaMeta = "mv-sha256";
// Files from this size on start their writeback as they are written (a local target).
constexpr uint64_t kEarlyWriteback = 256 << 10;

// True when `target` can copy the source's blobs itself (the same S3 service and identity).
bool ServerCanCopy(const store::ObjectStore& source, const store::ObjectStore& target) {
  const std::string probe = archive::BlobKey(archive::Sha256{});
  std::optional<store::CopySource> from = source.CopySourceOf(probe);
  std::optional<store::CopySource> to = target.CopySourceOf(probe);
  return from && to && from->service == to->service;
}

// Writes one run file to the target, its SHA-256 kept in its metadata: copied by the server when
// it can (the blob's key names its hash, verified when the blob was stored), else streamed through
// this process with the hash checked on the way.
Status WriteFile(store::ObjectStore& source, store::ObjectStore& target, const RunFile& f,
                 bool server_copy) {
  const std::string hex = archive::ToHex(f.sha256);
  store::PutOptions put;
  put.metadata = {{kShaMeta, hex}};
  put.content_type = apt::ContentTypeFor(BaseName(f.path));
  // Durable by the stage's Sync() (a local target: one syncfs, not an fsync a file), which comes
  // before anything of the next stage is written.
  put.defer_sync = true;
  put.start_writeback = f.size >= kEarlyWriteback;
  const std::string blob = archive::BlobKey(f.sha256);
  if (server_copy) {
    return target.CopyFrom(source, blob, f.path, f.size, put).WithContext("publish " + f.path);
  }
  put.expected_sha256 = hex;
  if (f.size <= kInMemory) {
    Result<std::string> data = source.GetBytes(blob);
    if (!data.ok()) return data.status().WithContext("publish " + f.path);
    return target.PutBytes(f.path, *data, put).WithContext("publish " + f.path);
  }
  const fs::path tmp = fs::temp_directory_path() / ("mirrorvault-publish-" + hex);
  Status st = source.GetFile(blob, tmp.string(), {.size_hint = f.size});
  if (st.ok()) st = target.PutFile(f.path, tmp.string(), put);
  std::error_code ec;
  fs::remove(tmp, ec);
  return st.WithContext("publish " + f.path);
}

// Whether an interrupted publish already wrote `f` (its metadata names the same content).
bool AlreadyWritten(store::ObjectStore& target, const RunFile& f) {
  Result<store::ObjectInfo> info = target.Head(f.path);
  if (!info.ok() || info->size != f.size) return false;
  auto it = info->metadata.find(kShaMeta);
  return it != info->metadata.end() && it->second == archive::ToHex(f.sha256);
}

Result<std::optional<Manifest>> ReadJson(store::ObjectStore& target, std::string_view key) {
  Result<std::string> text = target.GetBytes(std::string(key));
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::optional<Manifest>();
    return text.status().WithContext("reading " + std::string(key) + " of the target");
  }
  MV_ASSIGN_OR_RETURN(Manifest m, DecodeManifest(*text, key));
  return std::optional<Manifest>(std::move(m));
}

Status WriteJson(store::ObjectStore& target, std::string_view key, const Manifest& m) {
  store::PutOptions put;
  put.content_type = "application/json";
  return target.PutBytes(std::string(key), EncodeManifest(m), put)
      .WithContext("writing " + std::string(key) + " of the target");
}

// Deletes `paths`; a path already gone is fine.
Status DeleteAll(store::ObjectStore& target, const std::vector<std::string>& paths) {
  if (paths.empty()) return Status::Ok();
  std::vector<store::DeleteFailure> failures;
  MV_RETURN_IF_ERROR(target.DeleteMany(paths, &failures));
  for (const store::DeleteFailure& f : failures) {
    if (!f.status.IsNotFound()) return f.status.WithContext("deleting " + f.key);
  }
  return Status::Ok();
}

struct TargetChanges {
  std::vector<FileChange> changes;
  std::vector<std::string> links;
  uint64_t file_count = 0;
  // What the target holds is not known file by file: each write is checked first.
  bool unknown_before = false;
};

// Every object of the target but its own records, content unknown (an all-zero hash).
Result<std::map<std::string, FileContent>> ListTarget(store::ObjectStore& target) {
  std::map<std::string, FileContent> out;
  store::ListOptions list;
  for (;;) {
    MV_ASSIGN_OR_RETURN(store::ListPage page, target.List(list));
    for (const store::ObjectInfo& o : page.objects) {
      if (!o.key.starts_with(".mirrorvault/")) out[o.key] = FileContent{{}, o.size};
    }
    if (page.next_start_after.empty()) return out;
    list.start_after = page.next_start_after;
  }
}

// What publishing the run whose root is `root` changes on a target whose manifest is `current`:
// - the manifest names a tree that can still be read: the two trees compared (the change only);
// - a format-1 manifest, which lists every file: the run's files against that list;
// - nothing published yet: every file of the run;
// - a tree that can no longer be read (its run deleted and its nodes collected): every file of
//   the run, each checked on the target before it is written, and every object of the target the
//   run does not name retired (the target listed once).
Result<TargetChanges> ChangesOnto(archive::NodeSource& nodes, const Manifest& current,
                                  const archive::Sha256& root, store::ObjectStore& target) {
  TargetChanges out;
  if (current.root) {
    Result<RunChanges> diff = DiffRunFiles(nodes, current.root, current.links, root);
    if (diff.ok()) {
      out.changes = std::move(diff->changes);
      out.links = std::move(diff->links);
      out.file_count =
          static_cast<uint64_t>(static_cast<int64_t>(current.file_count) + diff->file_delta);
      return out;
    }
    if (!diff.status().IsNotFound()) return diff.status();
    out.unknown_before = true;
  }
  MV_ASSIGN_OR_RETURN(RunChanges all, DiffRunFiles(nodes, std::nullopt, {}, root));
  out.links = std::move(all.links);
  out.file_count = all.changes.size();
  std::map<std::string, FileContent> before;
  if (out.unknown_before) {
    MV_ASSIGN_OR_RETURN(before, ListTarget(target));
  } else {
    for (const auto& [path, f] : current.files) before[path] = FileContent{f.sha256, f.size};
  }
  // Both sorted by path: merged.
  auto old = before.begin();
  for (FileChange& c : all.changes) {
    for (; old != before.end() && old->first < c.path; ++old) {
      out.changes.push_back({old->first, old->second, std::nullopt});
    }
    if (old != before.end() && old->first == c.path) {
      c.before = old->second;
      ++old;
      if (c.before == c.after) continue;
    }
    out.changes.push_back(std::move(c));
  }
  for (; old != before.end(); ++old) out.changes.push_back({old->first, old->second, std::nullopt});
  return out;
}

}  // namespace

Result<Manifest> ReadManifest(store::ObjectStore& target) {
  MV_ASSIGN_OR_RETURN(std::optional<Manifest> m, ReadJson(target, kManifestKey));
  return m ? std::move(*m) : Manifest{};
}

Result<PublishSummary> Publish(store::ObjectStore& source, archive::NodeSource& nodes,
                               const archive::Sha256& root, const std::string& archive,
                               const std::string& run_id, store::ObjectStore& target, Clock& clock,
                               const PublishOptions& options) {
  MV_ASSIGN_OR_RETURN(Manifest current, ReadManifest(target));
  MV_ASSIGN_OR_RETURN(std::optional<Manifest> inflight, ReadJson(target, kInflightKey));
  const auto now = clock.Now();
  MV_ASSIGN_OR_RETURN(TargetChanges changed, ChangesOnto(nodes, current, root, target));
  std::vector<FileChange>& changes = changed.changes;
  if (inflight) {
    // An interrupted publish may have written other content where the new state names a file
    // the plan does not write (a publish of another run, killed before its manifest): such a
    // file is written again (checked before it is sent, as every resumed write). What it wrote
    // that the new state does not name is retired like any other file, so that it is deleted in
    // time rather than left behind.
    std::set<std::string_view> planned;
    for (const FileChange& c : changes) planned.insert(c.path);
    std::vector<FileChange> more;
    for (const auto& [path, f] : inflight->files) {
      if (planned.contains(path)) continue;
      MV_ASSIGN_OR_RETURN(std::optional<FileContent> now_named, FileAt(nodes, root, path));
      const FileContent written{f.sha256, f.size};
      if (!now_named || *now_named != written) more.push_back({path, written, now_named});
    }
    changes.insert(changes.end(), more.begin(), more.end());
    std::sort(changes.begin(), changes.end(),
              [](const FileChange& a, const FileChange& b) { return a.path < b.path; });
  }
  Plan plan = MakePlan(changes, current, archive, run_id, now, options.grace);
  plan.next.root = root;
  plan.next.file_count = changed.file_count;
  plan.next.links = std::move(changed.links);
  const bool check_first = inflight.has_value() || changed.unknown_before;
  PublishSummary summary;
  summary.run = run_id;
  summary.files = changed.file_count;
  size_t written = 0;
  for (const auto& stage : plan.stages) written += stage.size();
  summary.unchanged = summary.files - std::min<size_t>(summary.files, written);
  summary.dry_run = options.dry_run;
  summary.deleted = plan.deletable.size();
  summary.retired = plan.next.retired.size();
  if (!inflight && !options.dry_run && plan.deletable.empty() && written == 0) {
    // Nothing to write or delete: when the manifest already says all this, a no-change publish
    // costs its two reads and nothing more.
    Manifest unchanged = plan.next;
    unchanged.published = current.published;
    if (unchanged == current) return summary;
  }
  if (options.dry_run) {
    for (const auto& stage : plan.stages) {
      for (const RunFile& f : stage) {
        if (std::binary_search(options.withdrawn.begin(), options.withdrawn.end(), f.sha256)) {
          ++summary.withdrawn;
          continue;
        }
        ++summary.uploaded;
        summary.uploaded_bytes += f.size;
      }
    }
    return summary;
  }

  // The in-flight record: every path this publish may write, with its content.
  Manifest record;
  record.archive = archive;
  record.run = run_id;
  record.published = now;
  record.root = root;
  if (inflight) record.files = inflight->files;
  for (const auto& stage : plan.stages) {
    for (const RunFile& f : stage) record.files[f.path] = ManifestFile{f.sha256, f.size, {}};
  }
  MV_RETURN_IF_ERROR(WriteJson(target, kInflightKey, record));

  const bool server_copy = ServerCanCopy(source, target);
  std::mutex mu;
  for (int s = 0; s < 3; ++s) {
    const std::vector<RunFile>& stage = plan.stages[s];
    if (options.on_stage) {
      uint64_t bytes = 0;
      for (const RunFile& f : stage) bytes += f.size;
      options.on_stage(static_cast<Stage>(s + 1), stage.size(), bytes);
    }
    auto write = [&](size_t i) -> Status {
      const RunFile& f = stage[i];
      if (std::binary_search(options.withdrawn.begin(), options.withdrawn.end(), f.sha256)) {
        std::lock_guard lock(mu);
        ++summary.withdrawn;
        return Status::Ok();
      }
      if (check_first && AlreadyWritten(target, f)) {
        if (options.on_written) options.on_written(f, static_cast<Stage>(s + 1));
        std::lock_guard lock(mu);
        ++summary.resumed;
        return Status::Ok();
      }
      MV_RETURN_IF_ERROR(WriteFile(source, target, f, server_copy));
      if (options.on_written) options.on_written(f, static_cast<Stage>(s + 1));
      std::lock_guard lock(mu);
      ++summary.uploaded;
      summary.uploaded_bytes += f.size;
      if (server_copy) ++summary.copied_server_side;
      return Status::Ok();
    };
    if (s < 2) {
      MV_RETURN_IF_ERROR(
          ParallelFor(stage.size(), write,
                      {.max_in_flight = static_cast<size_t>(std::max(1, options.concurrency))}));
    } else {
      // Release, Release.gpg, then InRelease: one at a time, in order, each durable before the
      // next.
      for (size_t i = 0; i < stage.size(); ++i) {
        MV_RETURN_IF_ERROR(write(i));
        MV_RETURN_IF_ERROR(target.Sync().WithContext("publish: making the stage durable"));
      }
    }
    // What a stage wrote is durable before the next stage writes what names it.
    if (!stage.empty()) {
      MV_RETURN_IF_ERROR(target.Sync().WithContext("publish: making the stage durable"));
    }
  }
  MV_RETURN_IF_ERROR(DeleteAll(target, plan.deletable));
  MV_RETURN_IF_ERROR(WriteJson(target, kManifestKey, plan.next));
  Status removed = target.Delete(std::string(kInflightKey));
  if (!removed.ok() && !removed.IsNotFound()) return removed;
  return summary;
}

Result<PublishSummary> Cleanup(store::ObjectStore& target, Clock& clock, std::chrono::seconds grace,
                               bool dry_run) {
  MV_ASSIGN_OR_RETURN(Manifest current, ReadManifest(target));
  PublishSummary summary;
  summary.run = current.run;
  summary.dry_run = dry_run;
  const auto now = clock.Now();
  std::vector<std::string> deletable;
  for (auto it = current.retired.begin(); it != current.retired.end();) {
    if (now - it->second.since >= grace) {
      deletable.push_back(it->first);
      it = current.retired.erase(it);
    } else {
      ++it;
    }
  }
  summary.deleted = deletable.size();
  summary.retired = current.retired.size();
  if (dry_run || deletable.empty()) return summary;
  MV_RETURN_IF_ERROR(DeleteAll(target, deletable));
  MV_RETURN_IF_ERROR(WriteJson(target, kManifestKey, current));
  return summary;
}

}  // namespace mv::publish
