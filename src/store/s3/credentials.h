// AWS credentials, region and endpoint by AWS's conventions:
//   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the profile AWS_PROFILE
//   (or "default") of AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and AWS_CONFIG_FILE
//   (~/.aws/config, sections "[profile NAME]" and "[default]"); region from AWS_REGION,
//   AWS_DEFAULT_REGION or the profile; endpoint from AWS_ENDPOINT_URL or the profile's
//   endpoint_url.
// The environment and home directory are inputs, so tests never touch the real ones.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "store/s3/sigv4.h"
#include "util/status.h"

namespace mv::s3 {

struct AwsEnvironment {
  std::map<std::string, std::string> env;
  std::string home;  // for ~/.aws; empty: no files are read
};

// The process environment and $HOME.
AwsEnvironment ProcessAwsEnvironment();

struct AwsSettings {
  Credentials credentials;  // empty: anonymous (unsigned) requests
  std::string region;       // empty when nothing says
  std::string endpoint;     // empty when nothing says
  std::string source;  // where the credentials came from, for messages ("environment", "profile dev
                       // in ~/.aws/credentials")
};

// InvalidArgument for a named profile that does not exist or a half-set key pair, naming the file.
Result<AwsSettings> ResolveAwsSettings(const AwsEnvironment& environment);

// An INI file as the AWS tools write it: "[section]" headers, "key = value" lines, '#'/';'
// comments. Keys are lower-cased; `file` names the source in error messages.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
Result<IniSections> ParseIni(std::string_view text, std::string_view file);

}  // namespace mv::s3
