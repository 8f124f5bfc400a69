// `mirrorvault gc [--grace 48h] [--dry-run] [--list]`: deletes the blobs and tree nodes no kept run
// names (retention/gc.h), and says what it freed.
#include "retention/gc.h"

#include <cstdio>
#include <mutex>

#include "cli/archive_access.h"
#include "cli/jobs_access.h"
#include "db/database.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct GcArgs {
  std::string grace = "48h";
  std::string wait = "10m";
  bool dry_run = false;
  bool list = false;
  int concurrency = 32;
};

int RunGc(CliContext& context, const GcArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  Result<std::chrono::milliseconds> grace = ParseDuration(args.grace);
  if (!grace.ok()) return ReportError(grace.status().WithContext("--grace"));
  Result<std::chrono::milliseconds> wait = ParseDuration(args.wait);
  if (!wait.ok()) return ReportError(wait.status().WithContext("--wait"));
  // gc's memory is its mark sets (64 bytes a live object at most) and fixed costs; the SQLite
  // catalog's page caches (dozens of connections read it while marking) are held to 64 MiB
  // together.
  db::SetSqliteCacheLimit(uint64_t{64} << 20);
  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  std::mutex mu;
  retention::GcOptions options{.grace = *grace,
                               .dry_run = args.dry_run,
                               .concurrency = static_cast<size_t>(std::max(args.concurrency, 1)),
                               .wait = *wait,
                               .who = "mirrorvault gc (" + OperatorName() + ")"};
  if (args.list) {
    options.on_object = [&](const std::string& key, uint64_t size) {
      std::lock_guard lock(mu);
      std::printf("%s %s %llu\n", args.dry_run ? "would delete" : "delete", key.c_str(),
                  static_cast<unsigned long long>(size));
    };
  }
  Result<retention::GcSummary> s =
      retention::CollectGarbage(*access->store, *access->catalog, options);
  if (!s.ok()) return ReportError(s.status());
  const char* verb = args.dry_run ? "would delete" : "deleted";
  std::printf(
      "gc: %zu kept runs (%zu committed while marking): %llu tree nodes, %llu blobs live; %s %llu "
      "blobs (%s) and %llu tree nodes (%s); kept %llu unreferenced objects (%s) younger than %s\n",
      s->runs, s->later_runs, static_cast<unsigned long long>(s->live_nodes),
      static_cast<unsigned long long>(s->live_blobs), verb,
      static_cast<unsigned long long>(s->blobs.objects), FormatSizeHuman(s->blobs.bytes).c_str(),
      static_cast<unsigned long long>(s->nodes.objects), FormatSizeHuman(s->nodes.bytes).c_str(),
      static_cast<unsigned long long>(s->young.objects), FormatSizeHuman(s->young.bytes).c_str(),
      args.grace.c_str());
  const double delete_s = static_cast<double>(s->delete_time.count()) / 1000.0;
  std::printf(
      "gc: mark %s, list %s, waiting for writers %s, catalog %s, delete %s (%.0f objects/s)\n",
      FormatDuration(s->mark).c_str(), FormatDuration(s->list).c_str(),
      FormatDuration(s->fence_wait).c_str(), FormatDuration(s->catalog).c_str(),
      FormatDuration(s->delete_time).c_str(),
      delete_s > 0 ? static_cast<double>(s->blobs.objects + s->nodes.objects) / delete_s : 0.0);
  const uint64_t live = s->live_nodes + s->live_blobs;
  std::printf("gc: mark sets %s in memory (%.1f B a live object); candidate file %s on disk\n",
              FormatSizeHuman(s->mark_bytes).c_str(),
              live > 0 ? static_cast<double>(s->mark_bytes) / static_cast<double>(live) : 0.0,
              FormatSizeHuman(s->candidate_file_bytes).c_str());
  if (s->failed > 0) {
    std::printf("gc: %llu objects could not be deleted (the next gc tries again)\n",
                static_cast<unsigned long long>(s->failed));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void RegisterGc(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<GcArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gc", "Delete the blobs and tree nodes no kept run names (safe beside running imports)");
  cmd->add_option("--grace", args->grace,
                  "Keep unreferenced objects younger than this (default 48h; 0s allowed)");
  cmd->add_option("--wait", args->wait,
                  "How long to wait for writers at work before deleting (default 10m)");
  cmd->add_option("--concurrency", args->concurrency, "Requests in flight (default 32)");
  cmd->add_flag("--dry-run", args->dry_run, "Say what would be deleted, and delete nothing");
  cmd->add_flag("--list", args->list, "Print each object deleted (or, with --dry-run, to be)");
  cmd->callback([args, &context, exit_code] { *exit_code = RunGc(context, *args); });
}

}  // namespace mv::cli
