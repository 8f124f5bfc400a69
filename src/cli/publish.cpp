// `mirrorvault publish ARCHIVE@TS --to URL...`: a run pushed to targets that apt reads directly,
// in the order of docs/design.md section 10 (publish/). Wiring only.
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "archive/node_source.h"
#include "cli/archive_access.h"
#include "cli/publish_progress.h"
#include "publish/publisher.h"
#include "publish/target_config.h"
#include "util/units.h"
#include "util/uri.h"

namespace mv::cli {
namespace {

struct PublishArgs {
  std::string run;
  std::vector<std::string> targets;
  int concurrency = 64;
  std::string grace = "24h";
  bool dry_run = false;
  bool cleanup = false;
  bool public_read = false;
  std::vector<std::string> allow_cidrs;
  bool grace_given = false;  // --grace on the command line (beats a [[target]]'s grace)
  std::string progress_interval = "2s";
  bool no_progress = false;
};

std::string Describe(const publish::PublishSummary& s) {
  std::string out = s.dry_run ? "would write " : "wrote ";
  out += std::to_string(s.uploaded) + " of " + std::to_string(s.files) + " files (" +
         FormatSizeHuman(s.uploaded_bytes) + "), " + std::to_string(s.unchanged) + " unchanged";
  if (s.copied_server_side > 0) {
    out += " (" + std::to_string(s.copied_server_side) + " copied by the S3 server)";
  }
  if (s.withdrawn > 0) out += ", " + std::to_string(s.withdrawn) + " withdrawn (removed) left out";
  if (s.resumed > 0)
    out += ", " + std::to_string(s.resumed) + " already written by an interrupted publish";
  out += "; " + std::string(s.dry_run ? "would delete " : "deleted ") + std::to_string(s.deleted) +
         ", " + std::to_string(s.retired) + " retired until the grace has passed";
  return out;
}

int RunPublish(CliContext& context, const PublishArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  if (args.targets.empty())
    return ReportError(InvalidArgument("publish: give at least one --to URL"));
  Result<std::chrono::milliseconds> grace = ParseDuration(args.grace);
  if (!grace.ok()) return ReportError(grace.status().WithContext("--grace"));
  publish::PublishOptions options;
  options.concurrency = std::max(1, args.concurrency);
  options.grace = std::chrono::duration_cast<std::chrono::seconds>(*grace);
  options.dry_run = args.dry_run;

  // Each --to: a [[target]] of the configuration (with its access and grace), a store URL, or a
  // folder. Flags given on the command line apply to every target.
  struct Target {
    std::string name;
    std::shared_ptr<store::ObjectStore> store;
    bool public_read = false;
    std::vector<std::string> allow_cidr;
    publish::PublishOptions options;
  };
  std::vector<Target> targets;
  for (const std::string& to : args.targets) {
    Target t{.name = to,
             .public_read = args.public_read,
             .allow_cidr = args.allow_cidrs,
             .options = options};
    std::string url = to;
    Result<std::optional<publish::TargetConfig>> named =
        publish::FindTarget(context.config().document, to);
    if (!named.ok()) return ReportError(named.status());
    if (*named) {
      url = (*named)->url;
      t.public_read = t.public_read || (*named)->public_read;
      if (t.allow_cidr.empty()) t.allow_cidr = (*named)->allow_cidr;
      if ((*named)->grace && !args.grace_given) {
        t.options.grace = std::chrono::duration_cast<std::chrono::seconds>(*(*named)->grace);
      }
    } else if (!store::IsStoreUrl(url)) {  // a folder
      std::error_code ec;
      url = "file://" +
            PercentEncode(std::filesystem::absolute(url, ec).lexically_normal().string(), "/");
    }
    store::StoreContext store_context = context.store_context();
    store_context.create = true;
    Result<std::shared_ptr<store::ObjectStore>> store = store::OpenStore(url, store_context);
    if (!store.ok()) return ReportError(store.status().WithContext("--to " + to));
    t.store = *store;
    targets.push_back(std::move(t));
  }
  // Access first: a target apt cannot read is not worth filling.
  for (const Target& t : targets) {
    if ((!t.public_read && t.allow_cidr.empty()) || args.dry_run) continue;
    Result<std::string> applied = t.store->AllowAnonymousRead(t.allow_cidr);
    if (!applied.ok()) return ReportError(applied.status().WithContext("--to " + t.name));
    std::printf("%s: anonymous reads %s; the policy now applied:\n%s\n", t.name.c_str(),
                t.allow_cidr.empty() ? "from anywhere" : "only from the allowed ranges",
                applied->c_str());
  }

  std::string archive, run_id;
  std::optional<OpenedRun> opened;
  if (!args.cleanup) {
    Result<OpenedRun> run = OpenRun(context, args.run);
    if (!run.ok()) return ReportError(run.status());
    opened = std::move(*run);
    Result<std::vector<archive::Sha256>> withdrawn = opened->access.catalog->RemovedContents();
    if (!withdrawn.ok()) return ReportError(withdrawn.status());
    for (Target& t : targets) t.options.withdrawn = *withdrawn;
    archive = opened->run.archive;
    run_id = opened->run.run_id.ToString();
  }

  Result<std::chrono::milliseconds> interval = ParseDuration(args.progress_interval);
  if (!interval.ok()) return ReportError(interval.status().WithContext("--progress-interval"));
  PublishProgress progress(stdout, args.no_progress ? std::chrono::milliseconds(0) : *interval);
  if (!args.cleanup && !args.dry_run) {
    for (size_t i = 0; i < targets.size(); ++i) progress.Track(args.targets[i], targets[i].options);
  }
  progress.Start();

  // Every target at once, each with its own progress and summary lines.
  std::mutex& print_mu = progress.print_mutex();
  std::vector<Status> results(targets.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < targets.size(); ++i) {
    threads.emplace_back([&, i] {
      const Target& t = targets[i];
      Result<publish::PublishSummary> s =
          args.cleanup ? publish::Cleanup(*t.store, SystemClock(), t.options.grace, args.dry_run)
                       : publish::Publish(*opened->access.store, *opened->source, opened->run.root,
                                          archive, run_id, *t.store, SystemClock(), t.options);
      progress.Done(args.targets[i]);
      std::lock_guard lock(print_mu);
      if (!s.ok()) {
        results[i] = s.status().WithContext(args.targets[i]);
        return;
      }
      std::string what = "cleanup";
      if (!args.cleanup) {
        what = archive;
        what += "@" + run_id;
      }
      std::printf("%s %s: %s\n", what.c_str(), args.targets[i].c_str(), Describe(*s).c_str());
      std::fflush(stdout);
    });
  }
  for (auto& t : threads) t.join();
  int exit_code = kExitOk;
  for (const Status& st : results) {
    if (!st.ok()) exit_code = ReportError(st);
  }
  return exit_code;
}

}  // namespace

void RegisterPublish(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<PublishArgs>();
  CLI::App* cmd = app.add_subcommand(
      "publish", "Publish a run to buckets or folders that apt reads directly (safe order)");
  cmd->add_option("RUN", args->run, "ARCHIVE@TIMESTAMP (or ARCHIVE: the latest run)");
  cmd->add_option("--to", args->targets,
                  "Target: the name of a [[target]] of the configuration, "
                  "s3://bucket/prefix?endpoint=..., or a folder")
      ->required();
  cmd->add_option("--concurrency", args->concurrency, "Files written at once")
      ->capture_default_str();
  cmd->add_option("--grace", args->grace,
                  "How long files the new state no longer names are kept before deletion")
      ->capture_default_str();
  cmd->add_flag("--dry-run", args->dry_run, "Plan and report only");
  cmd->add_flag("--public-read", args->public_read,
                "Let anyone read the target without credentials (S3: a bucket policy)");
  cmd->add_option("--allow-cidr", args->allow_cidrs,
                  "Let only these address ranges read without credentials (repeatable; S3: "
                  "aws:SourceIp in the bucket policy)");
  cmd->add_option("--progress-interval", args->progress_interval,
                  "How often each target prints what it has written so far")
      ->capture_default_str();
  cmd->add_flag("--no-progress", args->no_progress, "Only the stage and summary lines");
  cmd->add_flag("--cleanup", args->cleanup,
                "Only delete what was retired longer than --grace ago (no RUN needed)");
  cmd->callback([args, &context, exit_code, cmd] {
    if (!args->cleanup && args->run.empty()) {
      *exit_code = ReportError(InvalidArgument("publish: give the RUN (ARCHIVE@TIMESTAMP)"));
      return;
    }
    args->grace_given = cmd->count("--grace") > 0;
    *exit_code = RunPublish(context, *args);
  });
}

}  // namespace mv::cli
