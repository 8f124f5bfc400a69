#include <string>
#include <string_view>

#include "apt/release.h"
#include "importer/mirror.h"

namespace mv::importer {

Status CheckMirrorOptions(const MirrorOptions& options) {
  if (options.suites.empty())
    return InvalidArgument("mirror " + options.archive + ": no suite given");
  if (options.keyring.empty() && !options.no_verify) {
    return InvalidArgument("mirror " + options.archive +
                           ": no keyring to check the Release signatures with; give --keyring "
                           "FILE (keyring = \"FILE\" in the archive's configuration), or "
                           "--no-verify (no_verify = true) to mirror without checking them");
  }
  if (!options.packages.empty() && !options.filter.empty()) {
    return InvalidArgument("mirror " + options.archive +
                           ": give packages or a filter (--packages or --filter), not both");
  }
  if (options.filter_with_deps && options.packages.empty() && options.filter.empty()) {
    return InvalidArgument("mirror " + options.archive +
                           ": --filter-with-deps closes a selection over its dependencies; give "
                           "--packages or --filter too");
  }
  if (options.with_recommends && !options.filter_with_deps) {
    return InvalidArgument("mirror " + options.archive +
                           ": --with-recommends goes with --filter-with-deps");
  }
  if (options.filter_with_deps && options.signing_key.key.empty()) {
    return InvalidArgument("mirror " + options.archive +
                           ": --filter-with-deps writes a derived view that must be signed; give "
                           "--signing-key KEY (signing_key = \"KEY\" in the archive's "
                           "configuration, with gnupg_home = \"DIR\" when not ~/.gnupg)");
  }
  for (const std::string& suite : options.suites) {
    // A flat repository's folder ends in '/' ("./", "debian/"), as in apt's sources.
    std::string_view name = suite;
    if (suite != "./" && name.ends_with('/')) name.remove_suffix(1);
    if (suite != "./" && !apt::IsSafeRelativePath(name)) {
      return InvalidArgument("mirror " + options.archive + ": '" + suite + "' is not a suite name");
    }
  }
  return Status::Ok();
}

}  // namespace mv::importer
