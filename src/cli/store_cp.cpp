#include <iostream>
#include <memory>

#include "cli/store_commands.h"
#include "util/progress.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct CpArgs {
  std::string src;
  std::string dst;
  bool recursive = false;
  int concurrency = 0;
  std::string multipart_threshold;
  std::string part_size;
  bool no_progress = false;
};

int RunCp(CliContext& context, const CpArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  if (!args.multipart_threshold.empty()) {
    auto v = ParseSize(args.multipart_threshold);
    if (!v.ok()) return ReportError(v.status().WithContext("--multipart-threshold"));
    context.mutable_store_context().multipart_threshold = *v;
  }
  if (!args.part_size.empty()) {
    auto v = ParseSize(args.part_size);
    if (!v.ok()) return ReportError(v.status().WithContext("--part-size"));
    context.mutable_store_context().part_size = *v;
  }
  auto src = context.ResolveEndpoint(args.src, /*create=*/false);
  if (!src.ok()) return ReportError(src.status());
  auto dst = context.ResolveEndpoint(args.dst, /*create=*/true);
  if (!dst.ok()) return ReportError(dst.status());

  Progress progress({.label = "cp",
                     .items_name = "objects",
                     .display = args.no_progress ? ProgressDisplay::kOff : ProgressDisplay::kAuto});
  store::CopyOptions options{
      .recursive = args.recursive,
      .concurrency = args.concurrency > 0 ? args.concurrency : context.config().s3.concurrency,
      .on_copied = [&](const std::string&, uint64_t bytes) { progress.Add(bytes, 1); },
      .on_planned = [&](uint64_t objects, uint64_t bytes) { progress.SetTotals(bytes, objects); }};
  auto summary = store::CopyObjects(*src, *dst, options);
  progress.Finish();
  if (!summary.ok()) return ReportError(summary.status());
  for (const store::CopyFailure& f : summary->failures) {
    std::cerr << "mirrorvault: failed: " << f.source << ": " << f.status.ToString() << "\n";
  }
  double seconds = std::chrono::duration<double>(summary->elapsed).count();
  std::cerr << "copied " << summary->objects << " objects, " << FormatSizeHuman(summary->bytes)
            << " in "
            << FormatDuration(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)))
            << " ("
            << FormatSizeHuman(static_cast<uint64_t>(
                   seconds > 0 ? static_cast<double>(summary->bytes) / seconds : 0))
            << "/s)";
  if (!summary->failures.empty()) std::cerr << "; " << summary->failures.size() << " failed";
  std::cerr << "\n";
  return summary->failures.empty() ? kExitOk : kExitFailure;
}

}  // namespace

void RegisterStoreCp(CLI::App& store, CliContext& context, int* exit_code) {
  auto args = std::make_shared<CpArgs>();
  CLI::App* cmd = store.add_subcommand(
      "cp", "Copy files and objects between local paths and stores (file://, s3://)");
  cmd->add_option("SRC", args->src, "Local path or store URL to copy from")->required();
  cmd->add_option("DST", args->dst,
                  "Local path or store URL to copy to; ending in '/' copies into it")
      ->required();
  cmd->add_flag("-r,--recursive", args->recursive, "Copy every file or object under SRC");
  cmd->add_option("--concurrency", args->concurrency,
                  "Objects copied at once (default: [s3] concurrency, 64)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--multipart-threshold", args->multipart_threshold,
                  "Upload files at least this big in parts (default 64MiB)");
  cmd->add_option("--part-size", args->part_size, "Size of each part (default 16MiB)");
  cmd->add_flag("--no-progress", args->no_progress, "Do not draw a progress bar");
  cmd->callback([args, &context, exit_code] { *exit_code = RunCp(context, *args); });
}

}  // namespace mv::cli
