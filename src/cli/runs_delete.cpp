// `mirrorvault runs rm ARCHIVE@RUN...` and `mirrorvault runs prune [ARCHIVE]`: deleting runs, by
// name or by the archives' retention policies (retention/).
#include <cstdio>
#include <iostream>
#include <map>

#include "archive/run_view.h"
#include "cli/archive_access.h"
#include "cli/jobs_access.h"
#include "jobs/job_admin.h"
#include "retention/prune.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct RmArgs {
  std::vector<std::string> runs;
  std::string reason;
  std::string wait = "0s";
  bool dry_run = false;
};

struct PruneArgs {
  std::string archive;
  std::string wait = "0s";
  bool dry_run = false;
};

// The deletion options of a command: who acts, and an audit-log entry per deleted run.
Result<retention::DeleteOptions> Options(ArchiveAccess& access, const std::string& wait,
                                         bool dry_run, std::string reason,
                                         std::shared_ptr<jobs::JobQueue>* queue) {
  MV_ASSIGN_OR_RETURN(std::chrono::milliseconds waited, ParseDuration(wait));
  retention::DeleteOptions options{
      .who = OperatorName(), .reason = std::move(reason), .dry_run = dry_run, .wait = waited};
  if (!dry_run) {
    MV_ASSIGN_OR_RETURN(std::unique_ptr<jobs::JobQueue> opened,
                        OpenJobQueue(access.catalog->shared_database()));
    *queue = std::move(opened);
    options.on_deleted = [queue = *queue, who = options.who,
                          why = options.reason](const archive::RunRecord& r) {
      jobs::JobAdmin admin(*queue);
      return admin.Record(who, "delete-run", r.archive + "@" + r.run_id.ToString(), why);
    };
  }
  return options;
}

void PrintDeleted(const std::vector<retention::DeletedRun>& runs, bool dry_run) {
  for (const retention::DeletedRun& d : runs) {
    if (d.already_deleted) {
      std::printf("%s@%s was deleted already\n", d.record.archive.c_str(),
                  d.record.run_id.ToString().c_str());
      continue;
    }
    std::printf("%s %s@%s  %llu files, %s%s\n", dry_run ? "would delete" : "deleted",
                d.record.archive.c_str(), d.record.run_id.ToString().c_str(),
                static_cast<unsigned long long>(d.record.files),
                FormatSizeHuman(d.record.bytes).c_str(),
                d.finished_earlier_deletion ? " (finishing a deletion cut short)" : "");
  }
}

int RunRm(CliContext& context, const RmArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  // Exact run ids only: a shortened moment resolves to some run, which is no way to delete one.
  std::map<std::string, std::vector<RunId>> by_archive;
  for (const std::string& text : args.runs) {
    Result<archive::RunSpec> spec = archive::ParseRunSpec(text);
    if (!spec.ok()) return ReportError(spec.status());
    Result<RunId> id = RunId::Parse(spec->timestamp);
    if (!id.ok()) {
      return ReportError(InvalidArgument("'" + text +
                                         "': runs rm takes ARCHIVE@RUN with the run's whole id "
                                         "(YYYYMMDDTHHMMSSZ, as `mirrorvault runs` lists it)"));
    }
    by_archive[spec->archive].push_back(*id);
  }
  for (auto& [archive, ids] : by_archive) {
    Result<ArchiveAccess> access = OpenArchive(context, archive, /*create_store=*/false);
    if (!access.ok()) return ReportError(access.status());
    std::shared_ptr<jobs::JobQueue> queue;
    Result<retention::DeleteOptions> options =
        Options(*access, args.wait, args.dry_run, args.reason, &queue);
    if (!options.ok()) return ReportError(options.status());
    Result<std::vector<retention::DeletedRun>> deleted = retention::DeleteRuns(
        *access->store, *access->catalog, *access->packages, archive, std::move(ids), *options);
    if (!deleted.ok()) return ReportError(deleted.status());
    PrintDeleted(*deleted, args.dry_run);
  }
  return kExitOk;
}

int RunPrune(CliContext& context, const PruneArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<std::vector<std::pair<std::string, retention::RetentionPolicy>>> policies =
      retention::ConfiguredRetentionPolicies(context.config().document);
  if (!policies.ok()) return ReportError(policies.status());
  bool found = false;
  for (const auto& [archive, policy] : *policies) {
    if (!args.archive.empty() && archive != args.archive) continue;
    found = true;
    Result<ArchiveAccess> access = OpenArchive(context, archive, /*create_store=*/false);
    if (!access.ok()) return ReportError(access.status());
    std::shared_ptr<jobs::JobQueue> queue;
    Result<retention::DeleteOptions> options =
        Options(*access, args.wait, args.dry_run, "retention policy", &queue);
    if (!options.ok()) return ReportError(options.status());
    Result<retention::PruneSummary> pruned = retention::PruneRuns(
        *access->store, *access->catalog, *access->packages, archive, policy, *options);
    if (!pruned.ok()) return ReportError(pruned.status());
    PrintDeleted(pruned->finished, false);
    for (const retention::RetentionDecision& d : pruned->decisions) {
      std::string why;
      for (const std::string& r : d.reasons) why += (why.empty() ? "" : ", ") + r;
      if (d.keep) {
        std::printf("%s@%s  keep (%s)\n", archive.c_str(), d.run.ToString().c_str(), why.c_str());
      } else {
        std::printf("%s@%s  %s\n", archive.c_str(), d.run.ToString().c_str(),
                    args.dry_run ? "would delete" : "deleted");
      }
    }
  }
  if (!found) {
    return ReportError(NotFound(args.archive.empty()
                                    ? "no [[archive]] of the configuration has a retention table"
                                    : "the configuration has no [[archive]] named '" +
                                          args.archive + "' with a retention table"));
  }
  return kExitOk;
}

}  // namespace

void RegisterRunDeletion(CLI::App& runs, CliContext& context, int* exit_code) {
  auto rm = std::make_shared<RmArgs>();
  CLI::App* rm_cmd = runs.add_subcommand(
      "rm", "Delete runs: a tombstone in the store, the catalog forgets them (gc reclaims space)");
  rm_cmd->add_option("RUN", rm->runs, "ARCHIVE@RUN, the run's whole id")->required();
  rm_cmd->add_option("--reason", rm->reason, "Why (kept in the tombstone and the audit log)");
  rm_cmd->add_option("--wait", rm->wait,
                     "How long to wait for the archive's writer lock (default 0s)");
  rm_cmd->add_flag("--dry-run", rm->dry_run, "Say what would be deleted, and delete nothing");
  rm_cmd->callback([rm, &context, exit_code] { *exit_code = RunRm(context, *rm); });

  auto prune = std::make_shared<PruneArgs>();
  CLI::App* prune_cmd = runs.add_subcommand(
      "prune", "Apply the archives' retention policies ([archive.retention] in the config)");
  prune_cmd->add_option("ARCHIVE", prune->archive, "Only this archive (default: every one)");
  prune_cmd->add_option("--wait", prune->wait,
                        "How long to wait for each archive's writer lock (default 0s)");
  prune_cmd->add_flag("--dry-run", prune->dry_run, "Say what would be deleted, and delete nothing");
  prune_cmd->callback([prune, &context, exit_code] { *exit_code = RunPrune(context, *prune); });
}

}  // namespace mv::cli
