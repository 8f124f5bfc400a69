#include "store/s3/credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "util/strings.h"

extern char** environ;

namespace mv::s3 {
namespace {

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

// A missing file is an empty one; an unreadable or malformed file is an error.
Result<IniSections> ReadIni(const std::string& path) {
  std::ifstream in(path);
  if (!in) return IniSections{};
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseIni(buf.str(), path);
}

}  // namespace

AwsEnvironment ProcessAwsEnvironment() {
  AwsEnvironment out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(kv.substr(0, eq));
    if (key.starts_with("AWS_")) out.env[key] = std::string(kv.substr(eq + 1));
  }
  if (const char* home = std::getenv("HOME")) out.home = home;
  return out;
}

Result<IniSections> ParseIni(std::string_view text, std::string_view file) {
  IniSections sections;
  std::string current;
  bool in_section = false;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto where = [&] { return std::string(file) + ":" + std::to_string(line_no); };
    if (line.front() == '[') {
      if (line.back() != ']') return InvalidArgument(where() + ": section header without ']'");
      current = std::string(Trim(line.substr(1, line.size() - 2)));
      if (current.empty()) return InvalidArgument(where() + ": empty section name");
      sections[current];
      in_section = true;
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      // Continuation lines of nested values (e.g. "s3 =" blocks) are indented; skip them.
      continue;
    }
    if (!in_section) return InvalidArgument(where() + ": setting outside of any [section]");
    std::string key = Lower(Trim(line.substr(0, eq)));
    if (key.empty()) return InvalidArgument(where() + ": setting without a name");
    sections[current][key] = std::string(Trim(line.substr(eq + 1)));
  }
  return sections;
}

Result<AwsSettings> ResolveAwsSettings(const AwsEnvironment& environment) {
  const auto& env = environment.env;
  AwsSettings out;
  std::string profile = Get(env, "AWS_PROFILE");
  bool profile_named = !profile.empty();
  if (profile.empty()) profile = "default";

  std::string cred_file = Get(env, "AWS_SHARED_CREDENTIALS_FILE");
  std::string config_file = Get(env, "AWS_CONFIG_FILE");
  if (cred_file.empty() && !environment.home.empty())
    cred_file = environment.home + "/.aws/credentials";
  if (config_file.empty() && !environment.home.empty())
    config_file = environment.home + "/.aws/config";

  IniSections creds, config;
  if (!cred_file.empty()) {
    MV_ASSIGN_OR_RETURN(creds, ReadIni(cred_file));
  }
  if (!config_file.empty()) {
    MV_ASSIGN_OR_RETURN(config, ReadIni(config_file));
  }
  std::string config_section = profile == "default" ? "default" : "profile " + profile;
  const auto cred_it = creds.find(profile);
  const auto conf_it = config.find(config_section);
  if (profile_named && cred_it == creds.end() && conf_it == config.end()) {
    return InvalidArgument("AWS_PROFILE names profile \"" + profile + "\", which is in neither " +
                           cred_file + " nor " + config_file);
  }
  std::map<std::string, std::string> profile_values;
  if (conf_it != config.end()) profile_values = conf_it->second;
  if (cred_it != creds.end()) {
    for (const auto& [k, v] : cred_it->second) profile_values[k] = v;
  }

  std::string env_key = Get(env, "AWS_ACCESS_KEY_ID");
  std::string env_secret = Get(env, "AWS_SECRET_ACCESS_KEY");
  if (!env_key.empty() || !env_secret.empty()) {
    if (env_key.empty() || env_secret.empty()) {
      return InvalidArgument(
          "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set: set both or neither");
    }
    out.credentials = {env_key, env_secret, Get(env, "AWS_SESSION_TOKEN")};
    out.source = "environment";
  } else if (!Get(profile_values, "aws_access_key_id").empty()) {
    out.credentials = {Get(profile_values, "aws_access_key_id"),
                       Get(profile_values, "aws_secret_access_key"),
                       Get(profile_values, "aws_session_token")};
    if (out.credentials.secret_access_key.empty()) {
      return InvalidArgument("profile \"" + profile + "\" has aws_access_key_id but no " +
                             "aws_secret_access_key (" + cred_file + ")");
    }
    out.source = "profile " + profile;
  } else {
    out.source = "none (anonymous requests)";
  }

  out.region = Get(env, "AWS_REGION");
  if (out.region.empty()) out.region = Get(env, "AWS_DEFAULT_REGION");
  if (out.region.empty()) out.region = Get(profile_values, "region");
  out.endpoint = Get(env, "AWS_ENDPOINT_URL");
  if (out.endpoint.empty()) out.endpoint = Get(profile_values, "endpoint_url");
  return out;
}

}  // namespace mv::s3
