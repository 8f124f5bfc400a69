// The [[archive]] sections of the configuration: how each archive is mirrored, so that a
// recurring mirror is one line (`mirrorvault mirror debian`).
//
//   [[archive]]
//   name = "debian"
//   upstream = "http://deb.debian.org/debian"
//   suites = ["bookworm", "bookworm-updates"]  # "./" (ending in '/'): a flat repository
//   components = ["main"]                 # default: every component of the suite
//   archs = ["amd64", "all"]              # default: every architecture of the suite
//   sources = true                        # default false
//   keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
//   no_verify = false                     # true: mirror without checking signatures
//   packages = ["hello"]                  # or filter = "^lib" (a partial mirror)
//   without = ["dep11", "installer"]      # parts left out: dep11 cnf installer i18n udeb contents
//   installer_images = true               # installer-<arch>/<version>/images/ (default false)
//   filter_with_deps = true               # close it over dependencies; a signed view/ (false)
//   with_recommends = false               # follow Recommends too
//   signing_key = "0xKEYID"               # the operator's key that signs the view
//   gnupg_home = "/etc/mirrorvault/gnupg" # where that key is (default: gpg's)
//   concurrency = 32                      # downloads in flight
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "importer/mirror.h"
#include "util/config_value.h"

namespace mv::importer {

// The mirror settings of the archive named `name` in `document` (MirrorOptions with archive,
// upstream, suites, components, architectures, sources, keyring, no_verify, packages, filter,
// concurrency, filter_with_deps, with_recommends, signing_key and gnupg_home filled); std::nullopt
// when no [[archive]] has that name. `other_keys` are the keys other parts read from the same
// sections (jobs/archive_jobs.h's kArchiveJobKeys); a key in neither set is unknown.
// InvalidArgument with the file, line and key for an unknown key, a wrong type, or two sections
// with one name.
Result<std::optional<MirrorOptions>> FindArchiveConfig(
    const ConfigValue& document, const std::string& name,
    std::span<const std::string_view> other_keys);

}  // namespace mv::importer
