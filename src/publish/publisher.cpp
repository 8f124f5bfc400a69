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
  const std::string blob = archive::BlobKey(f.sha256);
  if (server_copy) {
    return target.CopyFrom(source, blob, f.path, f.size, put).WithContext("publish " + f.path);
  }
  put.expected_sha256 = hex;
  if (f.size <= kInMemory) {
    MV_ASSIGN_OR_RETURN(std::string data, source.GetBytes(blob));
    return target.PutBytes(f.path, data, put).WithContext("publish " + f.path);
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

}  // namespace

Result<Manifest> ReadManifest(store::ObjectStore& target) {
  MV_ASSIGN_OR_RETURN(std::optional<Manifest> m, ReadJson(target, kManifestKey));
  return m ? std::move(*m) : Manifest{};
}

Result<std::vector<RunFile>> ListRunFiles(archive::NodeSource& nodes, const archive::Sha256& root) {
  std::vector<RunFile> out;
  // Every file, and the tree under every symlink, as files at the link's path.
  std::function<Status(const std::string&, const archive::TreeEntry&)> visit;
  visit = [&](const std::string& path, const archive::TreeEntry& entry) -> Status {
    if (entry.type == archive::EntryType::kFile) {
      out.push_back({path, entry.hash, entry.size});
    } else if (entry.type == archive::EntryType::kSymlink) {
      Result<archive::TreeEntry> target = archive::ResolvePath(nodes, root, path);
      if (!target.ok()) return Status::Ok();  // a dangling link publishes nothing
      if (target->type == archive::EntryType::kFile) {
        out.push_back({path, target->hash, target->size});
      } else if (target->type == archive::EntryType::kDirectory) {
        return archive::WalkTree(nodes, target->hash,
                                 [&](const std::string& rel, const archive::TreeEntry& e) {
                                   return visit(path + "/" + rel, e);
                                 });
      }
    }
    return Status::Ok();
  };
  MV_RETURN_IF_ERROR(archive::WalkTree(nodes, root, visit));
  std::sort(out.begin(), out.end(),
            [](const RunFile& a, const RunFile& b) { return a.path < b.path; });
  return out;
}

Result<PublishSummary> Publish(store::ObjectStore& source, const std::vector<RunFile>& files,
                               const std::string& archive, const std::string& run_id,
                               store::ObjectStore& target, Clock& clock,
                               const PublishOptions& options) {
  MV_ASSIGN_OR_RETURN(Manifest current, ReadManifest(target));
  MV_ASSIGN_OR_RETURN(std::optional<Manifest> inflight, ReadJson(target, kInflightKey));
  const auto now = clock.Now();
  // An interrupted publish may have overwritten what the manifest names with other content (a
  // publish of another run, killed before its manifest): such a path is not known to be
  // unchanged, so it is planned again (and checked before it is sent, as every resumed write).
  // (Only paths the new state names: the others are retired from `current` as they are.)
  Manifest known = current;
  if (inflight) {
    std::set<std::string_view> named;
    for (const RunFile& f : files) named.insert(f.path);
    for (const auto& [path, f] : inflight->files) {
      auto it = known.files.find(path);
      if (it != known.files.end() && !(it->second == f) && named.contains(path)) {
        known.files.erase(it);
      }
    }
  }
  Plan plan = MakePlan(files, known, archive, run_id, now, options.grace);
  PublishSummary summary;
  summary.run = run_id;
  summary.files = files.size();
  summary.unchanged = plan.unchanged.size();
  summary.dry_run = options.dry_run;
  if (inflight) {
    // What the interrupted publish may have written and the new state does not name is retired
    // like any other file, so that it is deleted in time rather than left behind.
    for (const auto& [path, f] : inflight->files) {
      if (!plan.next.files.contains(path) && !current.files.contains(path)) {
        plan.next.retired.try_emplace(path, ManifestFile{f.sha256, f.size, now});
      }
    }
  }
  summary.deleted = plan.deletable.size();
  summary.retired = plan.next.retired.size();
  if (!inflight && !options.dry_run && plan.deletable.empty() &&
      std::all_of(std::begin(plan.stages), std::end(plan.stages),
                  [](const std::vector<RunFile>& stage) { return stage.empty(); })) {
    // Nothing to write or delete: when the manifest already says all this, a no-change publish
    // costs its two reads and nothing more.
    Manifest unchanged = plan.next;
    unchanged.published = current.published;
    if (unchanged == current) return summary;
  }
  if (options.dry_run) {
    for (const auto& stage : plan.stages) {
      summary.uploaded += stage.size();
      for (const RunFile& f : stage) summary.uploaded_bytes += f.size;
    }
    return summary;
  }

  // The in-flight record: every path this publish may write, with its content.
  Manifest record;
  record.archive = archive;
  record.run = run_id;
  record.published = now;
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
      if (inflight && AlreadyWritten(target, f)) {
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
      // Release, Release.gpg, then InRelease: one at a time, in order.
      for (size_t i = 0; i < stage.size(); ++i) MV_RETURN_IF_ERROR(write(i));
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
