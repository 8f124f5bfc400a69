// Configuration: where the store and the catalog are, how loud the logs are, S3 transfer
// settings, and the whole parsed file for the parts that read their own sections.
//
// Sources, later ones winning, each value remembering where it came from:
//   1. the embedded default: store file://<cwd>/mirrorvault-data/store,
//      catalog sqlite://<cwd>/mirrorvault-data/catalog.db, log_level info, [s3] defaults below;
//   2. one TOML file: --config FILE, else $MIRRORVAULT_CONFIG, else ./mirrorvault.toml, else
//      /etc/mirrorvault/mirrorvault.toml (the first two must exist; the others may not);
//   3. the environment: MIRRORVAULT_STORE, MIRRORVAULT_CATALOG, MIRRORVAULT_LOG_LEVEL (an empty
//      variable counts as unset);
//   4. flags: --store, --catalog, --log-level.
//
// The file's top-level keys are checked: store, catalog, log_level and the sections [s3],
// [server], [[archive]], [[target]], [regioncache], [[region]]. Their contents are checked by the
// parts that own them, reading Config::document. No global state: main loads a Config and passes
// it down.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/config_value.h"
#include "util/log.h"
#include "util/status.h"

namespace mv {

enum class ConfigSource { kDefault, kFile, kEnvironment, kFlag };
std::string_view ConfigSourceName(ConfigSource source);  // "default", "file", "env", "flag"

struct ConfigOrigin {
  ConfigSource source = ConfigSource::kDefault;
  // "/etc/mirrorvault/mirrorvault.toml:3:1", "MIRRORVAULT_STORE", "--store"; "" for defaults.
  std::string where{};
};

struct S3Settings {
  int concurrency = 64;                     // transfers in flight; 1-4096
  uint64_t multipart_threshold = 64 << 20;  // objects at least this big go multipart; <= 5GiB
  uint64_t part_size = 16 << 20;            // 5MiB-5GiB (S3's limits)
  int max_attempts = 7;                     // per request, first try included; 1-100
};

struct Config {
  std::string store{};    // a URL; parses with ParseUri
  std::string catalog{};  // a URL; parses with ParseUri
  LogLevel log_level = LogLevel::kInfo;
  S3Settings s3{};
  std::string config_file{};  // the file read; "" when none
  ConfigValue document{};     // the whole file; an empty table when none
  // Where each setting came from, by its path in the file: "store", "catalog", "log_level",
  // "s3.concurrency", "s3.multipart_threshold", "s3.part_size", "s3.max_attempts".
  std::map<std::string, ConfigOrigin, std::less<>> origins{};

  ConfigOrigin OriginOf(std::string_view key) const;
};

struct ConfigFlags {
  std::optional<std::string> config_file{};  // --config
  std::optional<std::string> store{};        // --store
  std::optional<std::string> catalog{};      // --catalog
  std::optional<std::string> log_level{};    // --log-level
};

struct ConfigSources {
  ConfigFlags flags{};
  std::map<std::string, std::string, std::less<>> env{};  // the process environment, or a test's
  std::string cwd{};  // absolute; where ./mirrorvault.toml and the default data folder are
  std::string system_file = "/etc/mirrorvault/mirrorvault.toml";
};

// Loads the configuration from `sources`. InvalidArgument names the file, line and column (or
// the variable or flag) of a bad value, an unknown key or a syntax error; a named config file that
// cannot be read gives that error (NotFound, PermissionDenied) naming the file and who named it.
Result<Config> LoadConfig(const ConfigSources& sources);

// The sources of this process: `flags`, the MIRRORVAULT_* environment variables and the current
// directory.
Result<ConfigSources> ProcessConfigSources(ConfigFlags flags);

// The effective settings as TOML with each one's origin as a comment, secrets redacted (for
// `mirrorvault config show`):
//   store = "file:///srv/mirrorvault-data/store"  # default
//   log_level = "debug"  # env MIRRORVAULT_LOG_LEVEL
std::string FormatConfig(const Config& config);

}  // namespace mv
