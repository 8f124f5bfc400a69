// Mirroring an upstream apt repository as one run of an archive (`mirrorvault mirror`):
//
//   1. each suite's InRelease (else Release + Release.gpg) is fetched and its signature checked
//      with gpgv against the keyring, as apt does;
//   2. the indexes of the chosen components and architectures are fetched (by-hash when the
//      Release says Acquire-By-Hash) and checked against the Release's sizes and SHA-256;
//   3. Packages and Sources name the pool files (a package filter may narrow them; the indexes
//      stay whole);
//   4. every file whose content the catalog does not know is downloaded in parallel straight
//      into the store, hashed and checked on the way; known contents are not downloaded at all;
//   5. the run is committed (importer/run_builder.h) only when every selected file is verified.
//
// This file is the upstream plan (what to fetch, and which path holds which content); the run's
// lock, content ledger, commit and package index are the run builder's, as for every producer.
//
// The run's tree is the repository as upstream serves it: the same paths and bytes, so its
// Release signatures still verify when the run is served.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apt/signature.h"
#include "archive/catalog.h"
#include "archive/run_record.h"
#include "http/http_client.h"
#include "importer/run_start.h"
#include "importer/upstream_fetcher.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/progress.h"
#include "util/run_id.h"

namespace mv::importer {

// Pool downloads in flight when a mirror starts; the window grows from there.
inline constexpr size_t kInitialDownloads = 16;
// A suite's indexes, fetched at once (a few hundred for a whole Debian suite) up to this many.
inline constexpr size_t kIndexDownloads = 32;

struct MirrorOptions {
  std::string archive;
  std::string upstream;  // the repository's root URL (holds dists/ and pool/)
  // dists/<suite>/; a suite ending in '/' is a flat repository's folder as apt's `deb URI dir/`
  // names it ("./": Release and Packages at the upstream's top, no dists/).
  std::vector<std::string> suites;
  std::vector<std::string> components;     // empty: every component of each suite
  std::vector<std::string> architectures;  // empty: every architecture of each suite
  bool sources = false;
  // Parts of the complete apt view left out on purpose (apt::kIndexPartWords: dep11, cnf,
  // installer, i18n, udeb, contents); the run record's "without" detail lists them.
  std::vector<std::string> without;
  // Installer images (installer-<arch>/<version>/images/ as their SHA256SUMS lists them, the
  // `current` symlink kept): opt-in, they are large.
  bool installer_images = false;
  std::string keyring;     // a binary OpenPGP keyring; required unless no_verify
  bool no_verify = false;  // take Release files without checking their signature
  // A partial mirror: only these binary and source packages (by name), or those whose name
  // matches `filter` (a POSIX extended regular expression, as grep -E, matching the whole
  // name). At most one of the two.
  std::vector<std::string> packages;
  std::string filter;
  // With a selection: close it over Depends and Pre-Depends (and Recommends) and write a
  // derived view under view/ (importer/derived_view.h), signed with `signing_key`.
  bool filter_with_deps = false;
  bool with_recommends = false;
  apt::SigningKey signing_key;
  std::optional<RunId> run_id;
  // The most downloads in flight. Pool files start at kInitialDownloads and double while the
  // download rate grows (util/adaptive_window.h); indexes go at most kIndexDownloads at once.
  size_t concurrency = 256;
  FetchOptions fetch;
  std::chrono::milliseconds lock_wait{0};
  std::string writer;  // "mirrorvault 0.1.0"
  Clock* clock = nullptr;
  Progress* progress = nullptr;
  // Brought up to date after the commit, under the writer lock (none: not updated).
  pkgindex::PackageIndex* package_index = nullptr;
};

struct MirrorSummary {
  archive::RunRecord record;
  IndexOutcome package_index;  // after the commit
  uint64_t index_files = 0;    // index and Release files in the run
  uint64_t pool_files = 0;     // pool files selected
  uint64_t pool_bytes = 0;
  uint64_t downloaded_files = 0;  // contents fetched (indexes and pool files)
  uint64_t downloaded_bytes = 0;
  uint64_t known_files = 0;  // selected files whose content the store had already
  uint64_t requests = 0;     // HTTP requests, retries included
  uint64_t retries = 0;
  size_t peak_downloads = 0;  // the most pool downloads the window allowed in flight
  std::chrono::steady_clock::duration elapsed{};
  // Set when the upstream was unchanged since this run of the archive (the same signed Release
  // files, the same selection): the new run has its tree, and nothing but the Releases was read.
  std::optional<RunId> unchanged_from;
  // Set when the run was made by editing the previous run's tree (the same upstream and
  // selection): how many pool folders were made anew, those of the index paragraphs that came or
  // went; every other pool folder is the previous run's, neither looked up nor rebuilt.
  std::optional<size_t> pool_folders_rebuilt;
};

// InvalidArgument naming the archive and what to give instead, for options that contradict each
// other or lack what they need (a keyring unless no_verify, a signing key for a derived view, ...)
// or a suite that is not a name (importer/mirror_options.cpp).
Status CheckMirrorOptions(const MirrorOptions& options);

Result<MirrorSummary> MirrorUpstream(std::shared_ptr<store::ObjectStore> store,
                                     archive::Catalog& catalog,
                                     std::shared_ptr<http::HttpClient> http,
                                     const MirrorOptions& options);

}  // namespace mv::importer
