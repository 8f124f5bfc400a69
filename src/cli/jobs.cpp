// `mirrorvault jobs ...`: the operators' view of the import service (jobs/job_admin.h): list, show,
// retry, run-now, cancel, pause, resume, failures, archives. Wiring only.
#include <cstdio>
#include <iostream>

#include "cli/jobs_access.h"
#include "jobs/archive_jobs.h"
#include "jobs/job_admin.h"
#include "jobs/job_json.h"
#include "util/time_format.h"

namespace mv::cli {
namespace {

namespace json = boost::json;

struct JobsArgs {
  std::string state, archive, kind = "mirror", error_class;
  int limit = 50;
  int64_t id = 0;
  bool json = false;
  bool failed = false;
};

int WithAdmin(CliContext& context, const std::function<Status(jobs::JobAdmin&)>& fn) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<std::unique_ptr<jobs::JobQueue>> queue = OpenJobQueue(context);
  if (!queue.ok()) return ReportError(queue.status());
  jobs::JobAdmin admin(**queue);
  Status st = fn(admin);
  return st.ok() ? kExitOk : ReportError(st);
}

std::string Short(const std::string& text, size_t n) {
  return text.size() <= n ? text : text.substr(0, n - 3) + "...";
}

Status List(jobs::JobAdmin& q, const JobsArgs& a) {
  jobs::JobFilter filter{.archive = a.archive, .limit = a.limit};
  if (!a.state.empty()) {
    MV_ASSIGN_OR_RETURN(filter.state, jobs::ParseJobState(a.state));
  }
  if (!a.kind.empty()) {
    MV_ASSIGN_OR_RETURN(filter.kind, jobs::ParseJobKind(a.kind));
  }
  MV_ASSIGN_OR_RETURN(std::vector<jobs::Job> list, q.List(filter));
  if (a.json) {
    std::cout << json::serialize(jobs::JobsJson(list)) << "\n";
    return Status::Ok();
  }
  std::printf("%-8s %-8s %-20s %-10s %-7s %-20s %s\n", "ID", "KIND", "ARCHIVE", "STATE", "TRIES",
              "RUN AFTER", "RESULT / ERROR");
  for (const jobs::Job& j : list) {
    const std::string tries = std::to_string(j.attempt) + "/" + std::to_string(j.max_attempts);
    const std::string& note = j.error_message.empty() || j.state == jobs::JobState::kSucceeded
                                  ? j.result
                                  : j.error_class + ": " + j.error_message;
    std::printf("%-8lld %-8s %-20s %-10s %-7s %-20s %s\n", static_cast<long long>(j.id),
                std::string(jobs::JobKindName(j.kind)).c_str(), j.archive.c_str(),
                std::string(jobs::JobStateName(j.state)).c_str(), tries.c_str(),
                FormatRfc3339(j.run_after).c_str(), Short(note, 100).c_str());
  }
  return Status::Ok();
}

Status Show(jobs::JobAdmin& q, const JobsArgs& a) {
  MV_ASSIGN_OR_RETURN(jobs::Job j, q.Show(a.id));
  if (a.json) {
    std::cout << json::serialize(jobs::JobJson(j, /*with_errors=*/true)) << "\n";
    return Status::Ok();
  }
  std::cout << "job " << j.id << ": " << jobs::JobKindName(j.kind) << " " << j.archive << "\n"
            << "  state     " << jobs::JobStateName(j.state) << " (attempt " << j.attempt << " of "
            << j.max_attempts << ", " << j.rescues << " rescues)\n"
            << "  origin    " << j.origin << "\n"
            << "  created   " << FormatRfc3339(j.created) << "\n"
            << "  run after " << FormatRfc3339(j.run_after) << "\n";
  if (j.started) std::cout << "  started   " << FormatRfc3339(*j.started) << "\n";
  if (j.finished) std::cout << "  finished  " << FormatRfc3339(*j.finished) << "\n";
  if (!j.lease_holder.empty()) std::cout << "  held by   " << j.lease_holder << "\n";
  if (!j.result.empty()) std::cout << "  result    " << j.result << "\n";
  for (const jobs::JobError& e : j.errors) {
    std::cout << "  attempt " << e.attempt << " at " << FormatRfc3339(e.at) << ": " << e.error_class
              << ": " << e.message << "\n";
  }
  return Status::Ok();
}

Status Failures(jobs::JobAdmin& q, const JobsArgs& a) {
  MV_ASSIGN_OR_RETURN(std::vector<jobs::FailureGroup> groups, q.Failures(a.archive));
  if (a.json) {
    std::cout << json::serialize(jobs::FailuresJson(groups)) << "\n";
    return Status::Ok();
  }
  if (groups.empty()) std::cout << "no failed jobs\n";
  for (const jobs::FailureGroup& g : groups) {
    std::cout << g.jobs << " job" << (g.jobs == 1 ? "" : "s") << ", last " << FormatRfc3339(g.last)
              << ": " << g.signature << "\n  archives:";
    for (const std::string& name : g.archives) std::cout << " " << name;
    std::cout << "\n  e.g. " << g.example << "\n";
  }
  return Status::Ok();
}

Status Archives(jobs::JobAdmin& q, const JobsArgs& a) {
  MV_ASSIGN_OR_RETURN(std::vector<jobs::ArchiveStatus> list, q.Archives());
  auto time = [](const std::optional<jobs::TimePoint>& t) {
    return t ? FormatRfc3339(*t) : std::string("-");
  };
  if (a.json) {
    std::cout << json::serialize(jobs::ArchivesJson(list)) << "\n";
    return Status::Ok();
  }
  std::printf("%-20s %-7s %-10s %-20s %-20s %s\n", "ARCHIVE", "PAUSED", "LAST JOB", "LAST SUCCESS",
              "NEXT TICK", "LAST ERROR");
  for (const jobs::ArchiveStatus& s : list) {
    std::printf("%-20s %-7s %-10s %-20s %-20s %s\n", s.archive.c_str(), s.paused ? "yes" : "no",
                s.last_state ? std::string(jobs::JobStateName(*s.last_state)).c_str() : "-",
                time(s.last_success).c_str(), time(s.next_tick).c_str(),
                Short(s.last_error, 80).c_str());
  }
  return Status::Ok();
}

Status RunNow(CliContext& context, jobs::JobAdmin& q, const JobsArgs& a) {
  MV_ASSIGN_OR_RETURN(jobs::JobKind kind, jobs::ParseJobKind(a.kind));
  std::string host;
  Result<jobs::ArchiveJobs> configured =
      jobs::FindArchiveJobs(context.config().document, a.archive);
  if (configured.ok()) {
    host = configured->host;
  } else if (kind != jobs::JobKind::kNoop) {
    return configured.status();
  }
  MV_ASSIGN_OR_RETURN(int64_t id, q.RunNow(a.archive, kind, "{}", host, OperatorName()));
  std::cout << "job " << id << ": " << jobs::JobKindName(kind) << " " << a.archive
            << " may run now\n";
  return Status::Ok();
}

}  // namespace

void RegisterJobs(CLI::App& app, CliContext& context, int* exit_code) {
  CLI::App* jobs_cmd = app.add_subcommand("jobs", "Operate the import service's jobs");
  jobs_cmd->require_subcommand(1);
  auto args = std::make_shared<JobsArgs>();

  CLI::App* list = jobs_cmd->add_subcommand("list", "Jobs, newest first");
  list->add_option("--state", args->state,
                   "scheduled, available, running, succeeded, retryable, failed, cancelled");
  list->add_option("--archive", args->archive, "Only this archive's jobs");
  list->add_option("--kind", args->kind,
                   "mirror, import, publish, prune, noop (default: every kind)");
  list->add_option("--limit", args->limit, "At most this many")->capture_default_str();
  list->add_flag("--json", args->json, "As a JSON array");
  list->callback([args, &context, exit_code, list] {
    if (list->count("--kind") == 0) args->kind.clear();
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) { return List(q, *args); });
  });

  CLI::App* show = jobs_cmd->add_subcommand("show", "One job with its error history");
  show->add_option("ID", args->id, "Job id")->required();
  show->add_flag("--json", args->json, "As JSON");
  show->callback([args, &context, exit_code] {
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) { return Show(q, *args); });
  });

  CLI::App* retry =
      jobs_cmd->add_subcommand("retry", "Retry a failed or cancelled job, or every failed one");
  retry->add_option("ID", args->id, "Job id");
  retry->add_flag("--failed", args->failed, "Every failed job (narrowed by --archive, --class)");
  retry->add_option("--archive", args->archive, "With --failed: only this archive's");
  retry->add_option("--class", args->error_class, "With --failed: only this error class");
  retry->callback([args, &context, exit_code] {
    if ((args->id != 0) == args->failed) {
      *exit_code = ReportError(InvalidArgument("jobs retry: give a job ID or --failed"));
      return;
    }
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) -> Status {
      if (!args->failed) {
        MV_RETURN_IF_ERROR(q.Retry(args->id, OperatorName()));
        std::cout << "job " << args->id << " will be retried\n";
        return Status::Ok();
      }
      MV_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                          q.RetryFailed(args->archive, args->error_class, OperatorName()));
      std::cout << ids.size() << " failed job" << (ids.size() == 1 ? "" : "s")
                << " will be retried";
      for (int64_t id : ids) std::cout << " " << id;
      std::cout << "\n";
      return Status::Ok();
    });
  });

  CLI::App* run_now = jobs_cmd->add_subcommand("run-now", "Run an archive's job now");
  run_now->add_option("ARCHIVE", args->archive, "Archive")->required();
  run_now->add_option("--kind", args->kind, "mirror, import, publish, prune")
      ->capture_default_str();
  run_now->callback([args, &context, exit_code] {
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) { return RunNow(context, q, *args); });
  });

  CLI::App* cancel = jobs_cmd->add_subcommand("cancel", "Cancel an active job");
  cancel->add_option("ID", args->id, "Job id")->required();
  cancel->callback([args, &context, exit_code] {
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) -> Status {
      MV_RETURN_IF_ERROR(q.Cancel(args->id, OperatorName()));
      std::cout << "job " << args->id << " cancelled\n";
      return Status::Ok();
    });
  });

  for (const char* verb : {"pause", "resume"}) {
    const bool pause = std::string_view(verb) == "pause";
    CLI::App* cmd = jobs_cmd->add_subcommand(
        verb, pause ? "Stop claiming an archive's jobs and skip its schedule"
                    : "Claim an archive's jobs again");
    cmd->add_option("ARCHIVE", args->archive, "Archive")->required();
    cmd->callback([args, &context, exit_code, pause] {
      *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) -> Status {
        MV_RETURN_IF_ERROR(pause ? q.Pause(args->archive, OperatorName())
                                 : q.Resume(args->archive, OperatorName()));
        std::cout << args->archive << (pause ? " paused\n" : " resumed\n");
        return Status::Ok();
      });
    });
  }

  CLI::App* failures = jobs_cmd->add_subcommand("failures", "Failed jobs grouped by signature");
  failures->add_option("--archive", args->archive, "Only this archive's");
  failures->add_flag("--json", args->json, "As JSON");
  failures->callback([args, &context, exit_code] {
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) { return Failures(q, *args); });
  });

  CLI::App* audit = jobs_cmd->add_subcommand(
      "audit", "The audit log, newest first: operators' actions and deleted runs");
  audit->add_option("--limit", args->limit, "At most this many entries (default 50)");
  audit->callback([args, &context, exit_code] {
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) -> Status {
      MV_ASSIGN_OR_RETURN(std::vector<jobs::AuditEntry> entries, q.Audit(args->limit));
      for (const auto& [at, who, action, target, detail] : entries) {
        std::printf("%s  %-28s %-12s %-34s %s\n", FormatRfc3339(at).c_str(), who.c_str(),
                    action.c_str(), target.c_str(), Short(detail, 100).c_str());
      }
      return Status::Ok();
    });
  });

  CLI::App* archives =
      jobs_cmd->add_subcommand("archives", "Each archive's schedule and last outcome");
  archives->add_flag("--json", args->json, "As JSON");
  archives->callback([args, &context, exit_code] {
    *exit_code = WithAdmin(context, [&](jobs::JobAdmin& q) { return Archives(q, *args); });
  });
}

}  // namespace mv::cli
