// A suite's Release as a mirror takes it: InRelease (else Release + Release.gpg) fetched at once,
// the signature checked with gpgv as apt does, and the Release's age checked against its
// Valid-Until and against the archive's previous run (a Release that goes back in time is a
// stale mirror or a replay).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "apt/release.h"
#include "archive/catalog.h"
#include "importer/upstream_fetcher.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::importer {

struct SuiteRelease {
  std::string text;  // the Release's text, as gpgv verified it (or as served, unverified)
  // The files of dists/<suite>/ to keep in the run, with their bytes: InRelease, and Release
  // with Release.gpg when they are the same Release, validly signed.
  std::map<std::string, std::string> files;
  std::string signed_by;  // the signing keys' fingerprints, comma-separated, or "unverified"
};

// Fetches and checks the Release of `suite` under `dists` ("dists/<suite>/"). `keyring` is a
// binary keyring; with `no_verify` signatures are not checked. Errors name `where`.
Result<SuiteRelease> FetchSuiteRelease(UpstreamFetcher& fetcher, const std::string& dists,
                                       const std::string& where, const std::string& keyring,
                                       bool no_verify);

// InvalidArgument, naming `where`, when `release` is past its Valid-Until, or older than the
// Release of `suite` that `previous` (the archive's previous run) mirrored.
Status CheckReleaseFreshness(const apt::Release& release, const std::string& suite,
                             const std::string& where,
                             const std::optional<archive::RunRow>& previous, Clock& clock);

}  // namespace mv::importer
