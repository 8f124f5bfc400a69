// `mirrorvault worker`: the import service's scheduler and job slots on this machine
// (jobs/worker.h). Wiring only: the store, catalog and executors from the configuration.
#include "jobs/worker.h"

#include <csignal>
#include <thread>

#include "cli/archive_access.h"
#include "cli/jobs_access.h"
#include "jobs/executors.h"
#include "jobs/job_admin.h"
#include "util/host.h"
#include "util/log.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct WorkerArgs {
  int concurrency = 0;
  std::string name;
  std::string lease = "60s";
  std::string poll = "2s";
  std::string tick = "10s";
  int fetch_attempts = 8;
  std::string backoff_base = "30s";
  std::string backoff_cap = "1h";
  int breaker_threshold = 5;
  std::string breaker_cooldown = "60s";
  std::string keep_history = "30d";
};

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop = true; }

Status ParseDurations(const WorkerArgs& a, jobs::QueueOptions* q, jobs::WorkerOptions* w) {
  struct Item {
    const char* flag;
    const std::string& text;
    std::chrono::milliseconds* out;
  };
  const Item items[] = {{"--lease", a.lease, &q->lease},
                        {"--poll", a.poll, &w->poll},
                        {"--tick", a.tick, &w->tick},
                        {"--backoff-base", a.backoff_base, &q->backoff.base},
                        {"--backoff-cap", a.backoff_cap, &q->backoff.cap},
                        {"--breaker-cooldown", a.breaker_cooldown, &q->breaker_cooldown}};
  for (const Item& item : items) {
    Result<std::chrono::milliseconds> d = ParseDuration(item.text);
    if (!d.ok()) return d.status().WithContext(item.flag);
    if (d->count() <= 0)
      return InvalidArgument(std::string(item.flag) + " must be longer than zero");
    *item.out = *d;
  }
  return Status::Ok();
}

int RunWorker(CliContext& context, const WorkerArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  jobs::QueueOptions queue_options;
  jobs::WorkerOptions options;
  if (Status st = ParseDurations(args, &queue_options, &options); !st.ok()) return ReportError(st);
  queue_options.breaker_threshold = std::max(args.breaker_threshold, 1);
  Result<std::chrono::milliseconds> keep = ParseDuration(args.keep_history);
  if (!keep.ok()) return ReportError(keep.status().WithContext("--keep-history"));
  options.keep_history = *keep;
  options.name = args.name.empty() ? ProcessIdentity() : args.name;
  options.concurrency = args.concurrency > 0
                            ? args.concurrency
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Result<std::vector<jobs::ArchiveJobs>> schedule =
      jobs::ReadArchiveJobs(context.config().document);
  if (!schedule.ok()) return ReportError(schedule.status());
  options.schedule = std::move(*schedule);
  // Woken by NOTIFY (PostgreSQL) or by another process's commit (SQLite), not only by polls.
  options.listen_url = context.config().catalog;

  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/true);
  if (!access.ok()) return ReportError(access.status());
  Result<std::unique_ptr<jobs::JobQueue>> queue = OpenJobQueue(context, queue_options);
  if (!queue.ok()) return ReportError(queue.status());

  jobs::ServiceContext service{.store = access->store,
                               .catalog = access->catalog.get(),
                               .packages = access->packages.get(),
                               .http = context.store_context().http,
                               .config = &context.config().document,
                               .store_context = context.store_context(),
                               .fetch_attempts = args.fetch_attempts};
  jobs::JobAdmin admin(**queue);
  service.audit = [&admin](const std::string& who, const std::string& action,
                           const std::string& target, const std::string& detail) {
    return admin.Record(who, action, target, detail);
  };
  std::map<jobs::JobKind, std::unique_ptr<jobs::Executor>> executors;
  executors[jobs::JobKind::kMirror] = jobs::MakeMirrorExecutor(service);
  executors[jobs::JobKind::kImport] = jobs::MakeImportExecutor(service);
  executors[jobs::JobKind::kPublish] = jobs::MakePublishExecutor(service);
  executors[jobs::JobKind::kPrune] = jobs::MakePruneExecutor(service);
  executors[jobs::JobKind::kNoop] = jobs::MakeNoopExecutor(nullptr);

  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  size_t scheduled = 0;
  for (const jobs::ArchiveJobs& a : options.schedule) scheduled += a.every ? 1 : 0;
  LogInfo("worker started", {{"worker", options.name},
                             {"slots", options.concurrency},
                             {"archives", options.schedule.size()},
                             {"scheduled", scheduled},
                             {"poll", options.poll}});
  jobs::Worker worker(**queue, std::move(executors), options);
  worker.Run(g_stop);
  LogInfo("worker stopped", {{"worker", options.name}});
  return kExitOk;
}

}  // namespace

void RegisterWorker(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App* cmd = app.add_subcommand(
      "worker", "Run the import service: scheduled jobs of every [[archive]], retries, rescues");
  cmd->add_option("--concurrency", args->concurrency, "Jobs run at once (default: cores)");
  cmd->add_option("--name", args->name, "Worker name in leases and logs (default: host:pid)");
  cmd->add_option("--lease", args->lease, "Job lease; renewed every third of it")
      ->capture_default_str();
  cmd->add_option("--poll", args->poll, "Idle slots look for jobs this often")
      ->capture_default_str();
  cmd->add_option("--tick", args->tick, "The scheduler looks for due archives this often")
      ->capture_default_str();
  cmd->add_option("--fetch-attempts", args->fetch_attempts,
                  "HTTP attempts within one mirror job before the job itself fails")
      ->capture_default_str();
  cmd->add_option("--backoff-base", args->backoff_base,
                  "First retry delay of a failed job (at most)")
      ->capture_default_str();
  cmd->add_option("--backoff-cap", args->backoff_cap, "Longest retry delay")->capture_default_str();
  cmd->add_option("--breaker-threshold", args->breaker_threshold,
                  "Transient failures in a row that stop claiming an upstream host's jobs")
      ->capture_default_str();
  cmd->add_option("--breaker-cooldown", args->breaker_cooldown,
                  "How long a tripped host waits before one job probes it")
      ->capture_default_str();
  cmd->add_option(
         "--keep-history", args->keep_history,
         "Forget succeeded and cancelled jobs older than this (0: never); failed jobs stay")
      ->capture_default_str();
  cmd->callback([args, &context, exit_code] { *exit_code = RunWorker(context, *args); });
}

}  // namespace mv::cli
