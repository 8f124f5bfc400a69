// `mirrorvault remove --reason TEXT (HASH... | --package NAME[=VERSION] [--archive A])`:
// withdrawing files for legal reasons (retention/removal.h), then their copies in every region of
// the region cache and every configured publish target; `mirrorvault removals` lists what was
// withdrawn.
#include <algorithm>
#include <cstdio>
#include <set>

#include "archive/node_source.h"
#include "cli/archive_access.h"
#include "cli/jobs_access.h"
#include "jobs/job_admin.h"
#include "publish/target_config.h"
#include "publish/withdraw.h"
#include "regioncache/open_region_cache.h"
#include "retention/removal.h"
#include "store/open_store.h"
#include "util/clock.h"
#include "util/host.h"
#include "util/time_format.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct RemoveArgs {
  std::vector<std::string> hashes;
  std::string package;
  std::string archive;
  std::string reason;
  std::string wait = "10m";
  bool dry_run = false;
  bool finish = false;
};

// The SHA-256s of a source package's files and its binaries' (NAME=VERSION: that version only;
// NAME alone: every version), or of a binary package's when no source has that name; with
// `archive`, only the files that archive's indexes named.
Result<std::vector<std::string>> PackageHashes(pkgindex::PackageIndex& packages,
                                               const std::string& spec,
                                               const std::string& archive) {
  const size_t eq = spec.find('=');
  const std::string name = spec.substr(0, eq);
  const std::string version = eq == std::string::npos ? "" : spec.substr(eq + 1);
  std::vector<pkgindex::PackageFile> files;
  MV_ASSIGN_OR_RETURN(std::vector<std::string> versions, packages.SourceVersions(name));
  if (!versions.empty()) {
    for (const std::string& v : versions) {
      if (!version.empty() && v != version) continue;
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::PackageFile> src, packages.SourceFiles(name, v));
      files.insert(files.end(), src.begin(), src.end());
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryRow> bins,
                          packages.BinariesOfSource(name, v));
      for (const pkgindex::BinaryRow& b : bins) {
        MV_ASSIGN_OR_RETURN(std::vector<pkgindex::PackageFile> bf,
                            packages.BinaryFiles(b.name, b.version));
        files.insert(files.end(), bf.begin(), bf.end());
      }
    }
  } else {
    MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryVersion> bins, packages.BinaryVersions(name));
    for (const pkgindex::BinaryVersion& b : bins) {
      if (!version.empty() && b.version != version) continue;
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::PackageFile> bf,
                          packages.BinaryFiles(b.name, b.version));
      files.insert(files.end(), bf.begin(), bf.end());
    }
  }
  std::set<std::string> hashes;
  for (const pkgindex::PackageFile& f : files) {
    if (!archive.empty()) {
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::FileLocation> where,
                          packages.FileLocations(f.sha256));
      if (std::none_of(where.begin(), where.end(),
                       [&](const pkgindex::FileLocation& l) { return l.archive == archive; })) {
        continue;
      }
    }
    hashes.insert(archive::ToHex(f.sha256));
  }
  if (hashes.empty()) {
    return NotFound("no package \"" + name + "\"" + (version.empty() ? "" : " version " + version) +
                    (archive.empty() ? "" : " in archive " + archive) +
                    " in the package index (nothing was removed)");
  }
  return std::vector<std::string>(hashes.begin(), hashes.end());
}

// Every region of the region cache forgets its copies of the removed contents.
Status PurgeRegions(CliContext& context, ArchiveAccess& access,
                    const std::vector<archive::Sha256>& removed) {
  MV_ASSIGN_OR_RETURN(regioncache::OpenedRegionCache regions,
                      regioncache::OpenRegionCache(context.config().document,
                                                   {.stores = context.store_context(),
                                                    .catalog = access.catalog->shared_database(),
                                                    .owner = ProcessIdentity()}));
  if (regions.cache == nullptr) return Status::Ok();
  for (const regioncache::RegionConfig& region : regions.cache->config().regions) {
    for (const archive::Sha256& sha : removed) {
      Status purged = regions.cache->Purge(region.name, sha);
      if (!purged.ok() && !purged.IsNotFound()) return purged.WithContext("region " + region.name);
    }
    std::printf("region %s: purged %zu contents\n", region.name.c_str(), removed.size());
  }
  return Status::Ok();
}

// Every configured publish target deletes the paths that hold a removed content.
Status WithdrawFromTargets(CliContext& context, ArchiveAccess& access,
                           const std::vector<archive::Sha256>& removed) {
  MV_ASSIGN_OR_RETURN(auto targets, publish::ConfiguredTargets(context.config().document));
  std::unique_ptr<archive::NodeSource> nodes =
      archive::MakeCachedNodeSource(access.store, access.catalog.get());
  for (const auto& [name, target] : targets) {
    MV_ASSIGN_OR_RETURN(std::shared_ptr<store::ObjectStore> store,
                        store::OpenStore(target.url, context.store_context()));
    Result<publish::TargetWithdrawal> w = publish::WithdrawFromTarget(*store, *nodes, removed);
    if (!w.ok()) return w.status().WithContext("target " + name);
    for (const std::string& path : w->deleted) {
      std::printf("target %s: deleted %s\n", name.c_str(), path.c_str());
    }
    if (w->indexes_broken) {
      std::printf(
          "target %s: an index file was withdrawn, so its suite's Release no longer matches: "
          "publish a run to it again\n",
          name.c_str());
    }
  }
  return Status::Ok();
}

int RunRemove(CliContext& context, const RemoveArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<std::chrono::milliseconds> wait = ParseDuration(args.wait);
  if (!wait.ok()) return ReportError(wait.status().WithContext("--wait"));
  if (!args.finish && args.hashes.empty() == args.package.empty()) {
    return ReportError(InvalidArgument("remove takes hashes or --package (one of the two)"));
  }
  if (!args.archive.empty() && args.package.empty()) {
    return ReportError(InvalidArgument("--archive only narrows --package"));
  }
  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  retention::RemoveOptions options{
      .who = OperatorName(), .reason = args.reason, .dry_run = args.dry_run, .wait = *wait};
  std::shared_ptr<jobs::JobQueue> queue;
  if (!args.dry_run) {
    Result<std::unique_ptr<jobs::JobQueue>> opened =
        OpenJobQueue(access->catalog->shared_database());
    if (!opened.ok()) return ReportError(opened.status());
    queue = std::move(*opened);
    options.on_recorded = [queue, who = options.who](const archive::Removal& r) {
      jobs::JobAdmin admin(*queue);
      return admin.Record(who, "remove", r.id + " (" + std::to_string(r.files.size()) + " files)",
                          r.reason);
    };
  }
  retention::RemoveSummary summary;
  if (args.finish) {
    if (Status st = retention::FinishRemovals(*access->store, *access->catalog, options, summary);
        !st.ok()) {
      return ReportError(st);
    }
  } else {
    Result<std::vector<std::string>> hashes =
        args.package.empty() ? Result<std::vector<std::string>>(args.hashes)
                             : PackageHashes(*access->packages, args.package, args.archive);
    if (!hashes.ok()) return ReportError(hashes.status());
    Result<std::vector<archive::RemovedFile>> files =
        retention::ResolveHashes(*access->catalog, *hashes);
    if (!files.ok()) return ReportError(files.status());
    Result<retention::RemoveSummary> done =
        retention::RemoveFiles(*access->store, *access->catalog, std::move(*files), options);
    if (!done.ok()) return ReportError(done.status());
    summary = std::move(*done);
  }
  for (const archive::RemovedFile& f : summary.already_removed) {
    std::printf("%s was removed already\n", archive::ToHex(f.sha256).c_str());
  }
  uint64_t bytes = 0;
  for (const archive::RemovedFile& f : summary.removal.files) {
    bytes += f.size;
    std::printf("%s %s (sha1 %s, %s)\n", args.dry_run ? "would remove" : "removed",
                archive::ToHex(f.sha256).c_str(), archive::ToHex(f.sha1).c_str(),
                FormatSizeHuman(f.size).c_str());
  }
  if (args.dry_run) return kExitOk;
  if (!summary.removal.files.empty()) {
    std::printf("removal %s: %zu files (%s), reason: %s\n", summary.removal.id.c_str(),
                summary.removal.files.size(), FormatSizeHuman(bytes).c_str(),
                summary.removal.reason.c_str());
  }
  std::printf("deleted %llu blobs from the store%s\n",
              static_cast<unsigned long long>(summary.blobs_deleted),
              summary.removals_finished > 0 ? " (finishing removals cut short)" : "");
  // The copies elsewhere, of every removal not finished yet (this one, and any a failure here
  // or a kill left unfinished), then marked finished: a later run leaves them alone.
  std::vector<archive::Sha256> removed;
  std::vector<std::string> ids;
  for (const archive::Removal& r : summary.unfinished) {
    ids.push_back(r.id);
    for (const archive::RemovedFile& f : r.files) removed.push_back(f.sha256);
  }
  std::sort(removed.begin(), removed.end());
  removed.erase(std::unique(removed.begin(), removed.end()), removed.end());
  if (!removed.empty()) {
    if (Status st = PurgeRegions(context, *access, removed); !st.ok()) return ReportError(st);
    if (Status st = WithdrawFromTargets(context, *access, removed); !st.ok()) {
      return ReportError(st);
    }
  }
  if (Status st = access->catalog->MarkRemovalsFinished(ids, ToUnixMs(SystemClock().Now()));
      !st.ok()) {
    return ReportError(st);
  }
  if (!ids.empty()) std::printf("finished %zu removals\n", ids.size());
  return kExitOk;
}

int RunRemovals(CliContext& context) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  Result<std::vector<archive::Removal>> all = access->catalog->ListRemovals();
  if (!all.ok()) return ReportError(all.status());
  for (const archive::Removal& r : *all) {
    std::printf("%s  %s  %zu files  by %s: %s\n", r.id.c_str(), r.removed.c_str(), r.files.size(),
                r.removed_by.c_str(), r.reason.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterRemove(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<RemoveArgs>();
  CLI::App* cmd = app.add_subcommand(
      "remove",
      "Withdraw files for legal reasons: every route answers 451, their blobs are deleted");
  cmd->add_option("hashes", args->hashes, "SHA-256 or SHA-1 of each content to withdraw");
  cmd->add_option("--package", args->package,
                  "A package's files instead: NAME or NAME=VERSION (a source package's with "
                  "its binaries', or a binary package's)");
  cmd->add_option("--archive", args->archive,
                  "With --package: only files this archive's indexes named");
  cmd->add_option("--reason", args->reason, "Why (required; shown on /removal/)");
  cmd->add_option("--wait", args->wait,
                  "How long to wait for writers at work before deleting (default 10m)");
  cmd->add_flag("--dry-run", args->dry_run, "Say what would be withdrawn, and change nothing");
  cmd->add_flag("--finish", args->finish,
                "Finish removals cut short (their blobs, region copies and targets)");
  cmd->callback([args, &context, exit_code] {
    if (!args->finish && args->reason.empty()) {
      *exit_code = ReportError(InvalidArgument("remove needs --reason"));
      return;
    }
    *exit_code = RunRemove(context, *args);
  });
  CLI::App* list = app.add_subcommand("removals", "List the removals: id, when, by whom, why");
  list->callback([&context, exit_code] { *exit_code = RunRemovals(context); });
}

}  // namespace mv::cli
