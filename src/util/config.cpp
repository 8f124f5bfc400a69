#include "util/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <utility>

#include "util/redact.h"
#include "util/toml_reader.h"
#include "util/units.h"
#include "util/uri.h"

extern char** environ;  // NOLINT: POSIX

namespace mv {
namespace {

constexpr std::string_view kEnvConfig = "MIRRORVAULT_CONFIG";
constexpr std::string_view kEnvPrefix = "MIRRORVAULT_";
constexpr uint64_t kMinPartSize = 5ULL << 20;  // S3's smallest part (but the last)
constexpr uint64_t kMaxPartSize = 5ULL << 30;  // S3's largest part and single PUT

// Where each overridable setting comes from in the environment and on the command line.
struct Overridable {
  std::string_view key;
  std::string_view env;
  std::string_view flag;
  std::optional<std::string> ConfigFlags::*flag_value;
};
constexpr std::array<Overridable, 3> kOverridable = {{
    {"store", "MIRRORVAULT_STORE", "--store", &ConfigFlags::store},
    {"catalog", "MIRRORVAULT_CATALOG", "--catalog", &ConfigFlags::catalog},
    {"log_level", "MIRRORVAULT_LOG_LEVEL", "--log-level", &ConfigFlags::log_level},
}};

std::optional<std::string> Env(const ConfigSources& sources, std::string_view name) {
  auto it = sources.env.find(name);
  if (it == sources.env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string Absolute(const std::string& cwd, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  return cwd + "/" + path;
}

// True when `path` exists; errors other than "no such file" are reported, not skipped.
Result<bool> Exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return ErrnoStatus(errno, "config file " + path);
}

std::string Describe(const ConfigOrigin& origin) {
  switch (origin.source) {
    case ConfigSource::kDefault:
      return "the default";
    case ConfigSource::kFile:
      return origin.where;
    case ConfigSource::kEnvironment:
      return "environment variable " + origin.where;
    case ConfigSource::kFlag:
      return "flag " + origin.where;
  }
  return origin.where;
}

ConfigOrigin FromFile(const ConfigValue& v) { return {ConfigSource::kFile, v.where().ToString()}; }

Status SetLevel(Config& config, std::string_view text, ConfigOrigin origin) {
  auto level = ParseLogLevel(text);
  if (!level.ok()) return level.status().WithContext(Describe(origin) + ": log_level");
  config.log_level = *level;
  config.origins["log_level"] = std::move(origin);
  return Status::Ok();
}

// Sets store, catalog or log_level from an override.
Status Override(Config& config, std::string_view key, std::string value, ConfigOrigin origin) {
  if (key == "log_level") return SetLevel(config, value, std::move(origin));
  (key == "store" ? config.store : config.catalog) = std::move(value);
  config.origins[std::string(key)] = std::move(origin);
  return Status::Ok();
}

Status ApplyS3(Config& config, const ConfigValue& s3) {
  MV_RETURN_IF_ERROR(
      s3.CheckKeys({"concurrency", "multipart_threshold", "part_size", "max_attempts"}));
  if (const ConfigValue* v = s3.Find("concurrency")) {
    MV_ASSIGN_OR_RETURN(int64_t n, v->AsInteger(1, 4096));
    config.s3.concurrency = static_cast<int>(n);
    config.origins["s3.concurrency"] = FromFile(*v);
  }
  if (const ConfigValue* v = s3.Find("max_attempts")) {
    MV_ASSIGN_OR_RETURN(int64_t n, v->AsInteger(1, 100));
    config.s3.max_attempts = static_cast<int>(n);
    config.origins["s3.max_attempts"] = FromFile(*v);
  }
  if (const ConfigValue* v = s3.Find("part_size")) {
    MV_ASSIGN_OR_RETURN(config.s3.part_size, v->AsSize());
    if (config.s3.part_size < kMinPartSize || config.s3.part_size > kMaxPartSize) {
      return v->Error(FormatSize(config.s3.part_size) + " is not in 5MiB-5GiB (S3's part sizes)");
    }
    config.origins["s3.part_size"] = FromFile(*v);
  }
  if (const ConfigValue* v = s3.Find("multipart_threshold")) {
    MV_ASSIGN_OR_RETURN(config.s3.multipart_threshold, v->AsSize());
    if (config.s3.multipart_threshold > kMaxPartSize) {
      return v->Error(FormatSize(config.s3.multipart_threshold) +
                      " is above 5GiB, the largest object S3 takes in one PUT");
    }
    config.origins["s3.multipart_threshold"] = FromFile(*v);
  }
  return Status::Ok();
}

Status ApplyFile(Config& config) {
  const ConfigValue& doc = config.document;
  MV_RETURN_IF_ERROR(doc.CheckKeys({"store", "catalog", "log_level", "s3", "server", "archive",
                                    "target", "regioncache", "region"}));
  for (std::string_view key : {"store", "catalog"}) {
    if (const ConfigValue* v = doc.Find(key)) {
      MV_ASSIGN_OR_RETURN(std::string url, v->AsString());
      MV_RETURN_IF_ERROR(Override(config, key, std::move(url), FromFile(*v)));
    }
  }
  if (const ConfigValue* v = doc.Find("log_level")) {
    MV_ASSIGN_OR_RETURN(std::string text, v->AsString());
    auto level = ParseLogLevel(text);
    if (!level.ok()) return v->Error(level.status().message());
    config.log_level = *level;
    config.origins["log_level"] = FromFile(*v);
  }
  MV_ASSIGN_OR_RETURN(ConfigValue s3, doc.Section("s3"));
  return ApplyS3(config, s3);
}

Status CheckUrl(const Config& config, std::string_view key, const std::string& url) {
  auto parsed = ParseUri(url);
  if (parsed.ok()) return Status::Ok();
  return parsed.status().WithContext(Describe(config.OriginOf(key)) + ": " + std::string(key));
}

std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string_view ConfigSourceName(ConfigSource source) {
  switch (source) {
    case ConfigSource::kDefault:
      return "default";
    case ConfigSource::kFile:
      return "file";
    case ConfigSource::kEnvironment:
      return "env";
    case ConfigSource::kFlag:
      return "flag";
  }
  return "default";
}

ConfigOrigin Config::OriginOf(std::string_view key) const {
  auto it = origins.find(key);
  return it == origins.end() ? ConfigOrigin{} : it->second;
}

Result<Config> LoadConfig(const ConfigSources& sources) {
  if (sources.cwd.empty() || sources.cwd.front() != '/') {
    return InvalidArgument("the current directory must be an absolute path, got \"" + sources.cwd +
                           "\"");
  }
  std::string base = sources.cwd;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (base == "/") base.clear();

  Config config;
  config.store = "file://" + PercentEncode(base + "/mirrorvault-data/store", "/");
  config.catalog = "sqlite://" + PercentEncode(base + "/mirrorvault-data/catalog.db", "/");

  // The file: named (it must exist) or found.
  std::string file;
  std::string named_by;
  if (sources.flags.config_file) {
    file = Absolute(base, *sources.flags.config_file);
    named_by = "--config";
  } else if (auto env_file = Env(sources, kEnvConfig)) {
    file = Absolute(base, *env_file);
    named_by = kEnvConfig;
  } else {
    for (const std::string& candidate : {base + "/mirrorvault.toml", sources.system_file}) {
      MV_ASSIGN_OR_RETURN(bool exists, Exists(candidate));
      if (exists) {
        file = candidate;
        break;
      }
    }
  }
  if (!file.empty()) {
    auto doc = ReadTomlFile(file);
    if (!doc.ok()) {
      return named_by.empty() ? doc.status()
                              : doc.status().WithContext("config file named by " + named_by);
    }
    config.config_file = file;
    config.document = std::move(doc).value();
    MV_RETURN_IF_ERROR(ApplyFile(config));
  }

  for (const Overridable& o : kOverridable) {
    if (auto value = Env(sources, o.env)) {
      MV_RETURN_IF_ERROR(Override(config, o.key, std::move(*value),
                                  {ConfigSource::kEnvironment, std::string(o.env)}));
    }
  }
  for (const Overridable& o : kOverridable) {
    if (const auto& value = sources.flags.*o.flag_value) {
      MV_RETURN_IF_ERROR(
          Override(config, o.key, *value, {ConfigSource::kFlag, std::string(o.flag)}));
    }
  }
  MV_RETURN_IF_ERROR(CheckUrl(config, "store", config.store));
  MV_RETURN_IF_ERROR(CheckUrl(config, "catalog", config.catalog));
  return config;
}

Result<ConfigSources> ProcessConfigSources(ConfigFlags flags) {
  ConfigSources sources;
  sources.flags = std::move(flags);
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || entry.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    sources.env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr) return ErrnoStatus(errno, "getcwd");
  sources.cwd = cwd;
  return sources;
}

std::string FormatConfig(const Config& config) {
  auto origin = [&](std::string_view key) {
    ConfigOrigin o = config.OriginOf(key);
    std::string out = "  # ";
    out += ConfigSourceName(o.source);
    if (!o.where.empty()) out += " " + o.where;
    return out + "\n";
  };
  std::string out = config.config_file.empty() ? "# no config file\n"
                                               : "# config file: " + config.config_file + "\n";
  out += "store = " + TomlString(RedactUrl(config.store)) + origin("store");
  out += "catalog = " + TomlString(RedactUrl(config.catalog)) + origin("catalog");
  out += "log_level = " + TomlString(LogLevelName(config.log_level)) + origin("log_level");
  out += "\n[s3]\n";
  out += "concurrency = " + std::to_string(config.s3.concurrency) + origin("s3.concurrency");
  out += "multipart_threshold = " + TomlString(FormatSize(config.s3.multipart_threshold)) +
         origin("s3.multipart_threshold");
  out += "part_size = " + TomlString(FormatSize(config.s3.part_size)) + origin("s3.part_size");
  out += "max_attempts = " + std::to_string(config.s3.max_attempts) + origin("s3.max_attempts");
  return out;
}

}  // namespace mv
