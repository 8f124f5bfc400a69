#include "cli/cli_context.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "db/database.h"
#include "http/http_client.h"
#include "util/log.h"
#include "util/uri.h"

namespace mv::cli {
namespace {

// The certificates to trust for https, as curl and OpenSSL take them from the environment:
// CURL_CA_BUNDLE, then SSL_CERT_FILE (a private CA's upstream or S3 endpoint). Empty: the system's.
std::string CaFileFromEnvironment() {
  for (const char* name : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return value;
  }
  return {};
}

}  // namespace

Status CliContext::Init() {
  MV_ASSIGN_OR_RETURN(ConfigSources sources, ProcessConfigSources(flags_->config));
  MV_ASSIGN_OR_RETURN(config_, LoadConfig(sources));
  InitLogging(config_.log_level);
  // A catalog named in a folder that does not exist is a mistyped path, refused as a mistyped
  // store is; only the embedded default's folder is made when missing.
  if (ConfigOrigin origin = config_.OriginOf("catalog"); origin.source != ConfigSource::kDefault) {
    MV_RETURN_IF_ERROR(
        db::CheckDatabaseFolder(config_.catalog).WithContext("the catalog (" + origin.where + ")"));
  }
  store_context_.aws = s3::ProcessAwsEnvironment();
  store_context_.endpoint_override = flags_->endpoint_url;
  store_context_.max_attempts = config_.s3.max_attempts;
  store_context_.multipart_threshold = config_.s3.multipart_threshold;
  store_context_.part_size = config_.s3.part_size;
  store_context_.http = http::MakeCurlHttpClient(
      {.max_connections_per_host = std::max(config_.s3.concurrency * 2, 16),
       .max_connections = std::max(config_.s3.concurrency * 2, 16),
       .ca_file = CaFileFromEnvironment()});
  return Status::Ok();
}

Result<store::StoreLocation> CliContext::ResolveStore(const std::string& arg, bool create) {
  store::StoreContext context = store_context_;
  context.create = create;
  if (store::IsStoreUrl(arg)) return store::OpenStoreLocation(arg, context);
  if (arg.find("://") != std::string::npos) {
    return InvalidArgument("\"" + arg + "\" is not a store URL mirrorvault knows (file://, s3://)");
  }
  std::error_code ec;
  std::string abs = std::filesystem::absolute(arg, ec).lexically_normal().string();
  if (ec) return InvalidArgument("bad path \"" + arg + "\"");
  return store::OpenStoreLocation("file://" + PercentEncode(abs, "/"), context);
}

Result<store::Endpoint> CliContext::ResolveEndpoint(const std::string& arg, bool create) {
  if (!store::IsStoreUrl(arg)) {
    if (arg.find("://") != std::string::npos) {
      return InvalidArgument("\"" + arg +
                             "\" is not a store URL mirrorvault knows (file://, s3://)");
    }
    return store::Endpoint{.store = nullptr, .path = arg, .display = arg};
  }
  MV_ASSIGN_OR_RETURN(store::StoreLocation location, ResolveStore(arg, create));
  return store::Endpoint{.store = location.store, .path = location.key, .display = arg};
}

int ReportError(const Status& status) {
  std::cerr << "mirrorvault: " << status.ToString() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

}  // namespace mv::cli
