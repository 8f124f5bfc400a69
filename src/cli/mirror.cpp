// `mirrorvault mirror ARCHIVE`: an upstream apt repository as one run, verified.
#include "importer/mirror.h"

#include <iomanip>
#include <iostream>

#include "cli/archive_access.h"
#include "importer/archive_config.h"
#include "jobs/archive_jobs.h"
#include "util/progress.h"
#include "util/units.h"
#include "util/version.h"

namespace mv::cli {
namespace {

struct MirrorArgs {
  std::string archive;
  std::string upstream;
  std::vector<std::string> suites, components, archs, packages, without;
  std::string filter;
  std::string keyring;
  bool sources = false;
  bool installer_images = false;
  bool no_verify = false;
  std::string run_id;
  std::string wait = "0s";
  size_t concurrency = 0;
  bool no_progress = false;
  bool filter_with_deps = false;
  bool with_recommends = false;
  std::string signing_key;
  std::string gnupg_home;
};

int RunMirror(CliContext& context, const MirrorArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  if (Status valid = archive::ValidateArchiveName(args.archive); !valid.ok()) {
    return ReportError(valid);
  }
  // The [[archive]] section of that name, if any; flags override it.
  Result<std::optional<importer::MirrorOptions>> configured =
      importer::FindArchiveConfig(context.config().document, args.archive, jobs::kArchiveJobKeys);
  if (!configured.ok()) return ReportError(configured.status());
  importer::MirrorOptions options = configured->value_or(importer::MirrorOptions{});
  options.archive = args.archive;
  if (!args.upstream.empty()) options.upstream = args.upstream;
  if (!args.suites.empty()) options.suites = args.suites;
  if (!args.components.empty()) options.components = args.components;
  if (!args.archs.empty()) options.architectures = args.archs;
  if (!args.packages.empty()) {
    options.packages = args.packages;
    options.filter.clear();
  }
  if (!args.filter.empty()) {
    options.filter = args.filter;
    options.packages.clear();
  }
  if (!args.keyring.empty()) options.keyring = args.keyring;
  if (args.filter_with_deps) options.filter_with_deps = true;
  if (args.with_recommends) options.with_recommends = true;
  if (!args.signing_key.empty()) options.signing_key.key = args.signing_key;
  if (!args.gnupg_home.empty()) options.signing_key.gnupg_home = args.gnupg_home;
  if (args.sources) options.sources = true;
  if (!args.without.empty()) options.without = args.without;
  if (args.installer_images) options.installer_images = true;
  if (args.no_verify) options.no_verify = true;
  if (args.concurrency > 0) options.concurrency = args.concurrency;
  if (options.upstream.empty()) {
    return ReportError(InvalidArgument("mirror " + args.archive +
                                       ": no upstream: give --upstream URL or an [[archive]] "
                                       "named '" +
                                       args.archive + "' in the configuration"));
  }
  if (Status st = ParseRunIdAndWait(args.run_id, args.wait, &options.run_id, &options.lock_wait);
      !st.ok()) {
    return ReportError(st);
  }
  options.writer = "mirrorvault " + std::string(kVersion);

  Result<ArchiveAccess> access = OpenArchive(context, "", /*create_store=*/true);
  if (!access.ok()) return ReportError(access.status());
  Progress progress({.label = "mirror " + args.archive,
                     .items_name = "files",
                     .display = args.no_progress ? ProgressDisplay::kOff : ProgressDisplay::kAuto});
  options.progress = &progress;
  options.package_index = access->packages.get();
  Result<importer::MirrorSummary> summary = importer::MirrorUpstream(
      access->store, *access->catalog, context.store_context().http, options);
  progress.Finish();
  if (!summary.ok()) return ReportError(WithLockWaitHint(summary.status()));
  const archive::RunRecord& r = summary->record;
  const double secs = std::chrono::duration<double>(summary->elapsed).count();
  std::cout << "mirrored " << r.archive << "@" << r.run_id.ToString() << ": " << r.files
            << " files (" << FormatSizeHuman(r.bytes) << "), ";
  if (summary->unchanged_from) {
    std::cout << "the upstream unchanged since " << r.archive << "@"
              << summary->unchanged_from->ToString()
              << " (the same signed Release files): its tree";
  } else {
    std::cout << summary->index_files << " index files, " << summary->pool_files << " pool files ("
              << FormatSizeHuman(summary->pool_bytes) << ")";
  }
  std::cout << "; downloaded " << summary->downloaded_files << " files ("
            << FormatSizeHuman(summary->downloaded_bytes) << ") in " << summary->requests
            << " requests (" << summary->retries << " retries"
            << (summary->peak_downloads > 0
                    ? ", up to " + std::to_string(summary->peak_downloads) + " in flight"
                    : std::string())
            << "); new: " << r.new_files << " files (" << FormatSizeHuman(r.new_bytes) << "); "
            << std::fixed << std::setprecision(2) << secs << " s\n";
  PrintPackageIndexOutcome(summary->package_index);
  return kExitOk;
}

}  // namespace

void RegisterMirror(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<MirrorArgs>();
  CLI::App* cmd = app.add_subcommand(
      "mirror", "Mirror an upstream apt repository as a new run (verified, only what changed)");
  cmd->add_option("ARCHIVE", args->archive, "Archive name (its [[archive]] settings apply)")
      ->required();
  cmd->add_option("--upstream", args->upstream, "The repository's root URL (holds dists/, pool/)");
  cmd->add_option("--suites", args->suites,
                  "Suites (dists/<suite>), comma-separated; a flat repository's folder ends in "
                  "'/' as in apt's sources (./)")
      ->delimiter(',');
  cmd->add_option("--components", args->components, "Components (default: all of the suite)")
      ->delimiter(',');
  cmd->add_option("--archs", args->archs, "Architectures, e.g. amd64,all (default: all)")
      ->delimiter(',');
  cmd->add_flag("--sources", args->sources, "Mirror source packages too");
  cmd->add_flag("--installer-images", args->installer_images,
                "Mirror installer images too (installer-<arch>/<version>/images/ by SHA256SUMS)");
  cmd->add_option("--without", args->without,
                  "Leave out parts of the complete apt view: dep11,cnf,installer,i18n,udeb,"
                  "contents")
      ->delimiter(',');
  cmd->add_option("--keyring", args->keyring,
                  "Binary OpenPGP keyring the Releases must verify with");
  cmd->add_flag("--no-verify", args->no_verify, "Do not check Release signatures");
  auto* packages = cmd->add_option("--packages", args->packages,
                                   "Only these binary and source packages (a partial mirror)")
                       ->delimiter(',');
  cmd->add_option("--filter", args->filter,
                  "Only packages whose whole name matches this regular expression")
      ->excludes(packages);
  cmd->add_flag("--filter-with-deps", args->filter_with_deps,
                "Close the selection over Depends and Pre-Depends and write a signed derived "
                "view under view/ that lists exactly what the run holds");
  cmd->add_flag("--with-recommends", args->with_recommends,
                "With --filter-with-deps: follow Recommends too");
  cmd->add_option("--signing-key", args->signing_key,
                  "Key id of the operator's secret key that signs the derived view (gpg)");
  cmd->add_option("--gnupg-home", args->gnupg_home,
                  "GnuPG home holding the signing key (default: gpg's, ~/.gnupg)");
  cmd->add_option("--run-id", args->run_id, "Run id YYYYMMDDTHHMMSSZ (default: now, UTC)");
  cmd->add_option("--wait", args->wait,
                  "How long to wait when another writer of the archive is running (e.g. 10m)");
  cmd->add_option(
      "--concurrency", args->concurrency,
      "The most downloads in flight (default 256): pool files start at 16 and double while "
      "the download rate grows");
  cmd->add_flag("--no-progress", args->no_progress, "No progress bar");
  cmd->callback([args, &context, exit_code] { *exit_code = RunMirror(context, *args); });
}

}  // namespace mv::cli
