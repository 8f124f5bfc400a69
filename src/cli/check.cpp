// `mirrorvault check`: a Nagios/Icinga plugin for the import service (jobs/check.h). Wiring only.
#include "jobs/check.h"

#include <cstdio>

#include "cli/jobs_access.h"
#include "jobs/archive_jobs.h"
#include "jobs/job_admin.h"
#include "jobs/job_stats.h"
#include "util/units.h"

namespace mv::cli {
namespace {

constexpr int kUnknown = 3;

struct CheckArgs {
  std::string warn_failed = "1.5x", crit_failed = "2x";
  int64_t floor = 2;
  std::string max_age = "12h", max_age_crit = "24h";
};

Result<double> ParseFactor(const std::string& text, const char* flag) {
  std::string number = text;
  if (!number.empty() && (number.back() == 'x' || number.back() == 'X')) number.pop_back();
  try {
    size_t used = 0;
    double v = std::stod(number, &used);
    if (used == number.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  return InvalidArgument(std::string(flag) + ": expected a factor such as 1.5x, got '" + text +
                         "'");
}

int Unknown(const Status& st) {
  std::printf("MIRRORVAULT UNKNOWN - %s\n", st.ToString().c_str());
  return kUnknown;
}

int RunCheck(CliContext& context, const CheckArgs& args) {
  if (Status st = context.Init(); !st.ok()) return Unknown(st);
  jobs::CheckThresholds t;
  Result<double> warn = ParseFactor(args.warn_failed, "--warn-failed");
  if (!warn.ok()) return Unknown(warn.status());
  Result<double> crit = ParseFactor(args.crit_failed, "--crit-failed");
  if (!crit.ok()) return Unknown(crit.status());
  t.warn_factor = *warn;
  t.crit_factor = *crit;
  t.floor = std::max<int64_t>(args.floor, 0);
  Result<std::chrono::milliseconds> age = ParseDuration(args.max_age);
  if (!age.ok()) return Unknown(age.status().WithContext("--max-age"));
  Result<std::chrono::milliseconds> age_crit = ParseDuration(args.max_age_crit);
  if (!age_crit.ok()) return Unknown(age_crit.status().WithContext("--max-age-crit"));
  t.max_age = *age;
  t.max_age_crit = std::max(*age_crit, *age);

  Result<std::unique_ptr<jobs::JobQueue>> queue = OpenJobQueue(context);
  if (!queue.ok()) return Unknown(queue.status());
  Result<jobs::QueueStats> stats = jobs::JobStats(**queue).Stats();
  if (!stats.ok()) return Unknown(stats.status());
  Result<std::vector<int64_t>> baseline = jobs::JobStats(**queue).Baseline(7);
  if (!baseline.ok()) return Unknown(baseline.status());
  Result<std::vector<jobs::ArchiveJobs>> configured =
      jobs::ReadArchiveJobs(context.config().document);
  if (!configured.ok()) return Unknown(configured.status());

  jobs::CheckInput in;
  in.failed_archives = stats->failed_archives;
  in.baseline_days = *baseline;
  in.now = (*queue)->clock().Now();
  in.queue_lag = stats->lag;
  Result<std::vector<jobs::ArchiveStatus>> archives = jobs::JobAdmin(**queue).Archives();
  if (!archives.ok()) return Unknown(archives.status());
  for (const jobs::ArchiveJobs& a : *configured) {
    if (!a.every) continue;  // on-demand archives have no age to keep
    jobs::CheckInput::Archive entry{.name = a.archive};
    for (const jobs::ArchiveStatus& s : *archives) {
      if (s.archive != a.archive) continue;
      entry.last_success = s.last_success;
    }
    // Never successful: counted from the first time it was scheduled, if it was.
    if (!entry.last_success) {
      Result<std::vector<jobs::Job>> history =
          jobs::JobAdmin(**queue).List({.archive = a.archive, .limit = 1000000});
      if (!history.ok()) return Unknown(history.status());
      for (const jobs::Job& j : *history) {
        if (!entry.first_seen || j.created < *entry.first_seen) entry.first_seen = j.created;
      }
    }
    in.archives.push_back(entry);
  }
  jobs::CheckResult r = jobs::EvaluateCheck(in, t);
  std::printf("%s\n", r.line.c_str());
  return r.exit_code;
}

}  // namespace

void RegisterCheck(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Nagios/Icinga plugin: failed archives against their baseline, stale archives");
  cmd->add_option("--warn-failed", args->warn_failed,
                  "WARNING at this multiple of the baseline (median failed archives, last 7 days)")
      ->capture_default_str();
  cmd->add_option("--crit-failed", args->crit_failed, "CRITICAL at this multiple of the baseline")
      ->capture_default_str();
  cmd->add_option("--floor", args->floor, "The baseline used is at least this")
      ->capture_default_str();
  cmd->add_option("--max-age", args->max_age, "WARNING when an archive's last success is older")
      ->capture_default_str();
  cmd->add_option("--max-age-crit", args->max_age_crit, "CRITICAL when older than this")
      ->capture_default_str();
  cmd->callback([args, &context, exit_code] { *exit_code = RunCheck(context, *args); });
}

}  // namespace mv::cli
