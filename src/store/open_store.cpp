#include "store/open_store.h"

#include <set>

#include "store/local_store.h"
#include "store/memory_store.h"
#include "store/s3/s3_store.h"
#include "util/redact.h"
#include "util/uri.h"

namespace mv::store {
namespace {

Status CheckParams(const Uri& uri, const std::set<std::string>& allowed, std::string_view url) {
  for (const UriParam& p : uri.query) {
    if (!allowed.contains(p.key)) {
      std::string names;
      for (const std::string& a : allowed) names += (names.empty() ? "" : ", ") + a;
      return InvalidArgument("store URL " + RedactUrl(url) + ": unknown parameter \"" + p.key +
                             "\"" + (names.empty() ? "" : " (known: " + names + ")"));
    }
  }
  return Status::Ok();
}

Result<s3::S3StoreOptions> S3OptionsFromUri(const Uri& uri, std::string_view url,
                                            const StoreContext& context) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("store URL " + RedactUrl(url) + ": " + why);
  };
  MV_RETURN_IF_ERROR(CheckParams(uri, {"endpoint", "region", "addressing"}, url));
  if (uri.host.empty()) return bad("no bucket (write s3://BUCKET/prefix)");
  if (uri.user || uri.password || uri.port)
    return bad("credentials or a port do not belong in an s3:// URL");
  for (char c : uri.host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || (c >= 'A' && c <= 'Z');
    if (!ok) return bad("bucket name \"" + uri.host + "\" has a character S3 does not allow");
  }
  MV_ASSIGN_OR_RETURN(s3::AwsSettings aws, s3::ResolveAwsSettings(context.aws));

  s3::S3StoreOptions o;
  o.credentials = aws.credentials;
  o.endpoint.bucket = uri.host;
  o.endpoint.region = uri.Param("region").value_or(aws.region.empty() ? "us-east-1" : aws.region);
  std::string endpoint =
      uri.Param("endpoint")
          .value_or(context.endpoint_override.empty() ? aws.endpoint : context.endpoint_override);
  if (endpoint.empty()) {
    o.endpoint.scheme = "https";
    o.endpoint.authority = "s3." + o.endpoint.region + ".amazonaws.com";
    o.endpoint.virtual_hosted = true;
  } else {
    auto parsed = ParseUri(endpoint);
    if (!parsed.ok()) return bad("bad endpoint: " + parsed.status().message());
    if (parsed->scheme != "http" && parsed->scheme != "https") {
      return bad("the endpoint must be an http:// or https:// URL");
    }
    if (parsed->host.empty()) return bad("the endpoint has no host");
    if (!parsed->path.empty() && parsed->path != "/")
      return bad("the endpoint must not have a path");
    o.endpoint.scheme = parsed->scheme;
    bool ipv6 = parsed->host.find(':') != std::string::npos;
    o.endpoint.authority = ipv6 ? "[" + parsed->host + "]" : parsed->host;
    if (parsed->port) o.endpoint.authority += ":" + std::to_string(*parsed->port);
    o.endpoint.virtual_hosted = false;
  }
  if (auto addressing = uri.Param("addressing")) {
    if (*addressing == "path") {
      o.endpoint.virtual_hosted = false;
    } else if (*addressing == "virtual") {
      o.endpoint.virtual_hosted = true;
    } else {
      return bad("addressing must be \"path\" or \"virtual\", not \"" + *addressing + "\"");
    }
  }
  std::string prefix = uri.path;
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  o.prefix = prefix;
  o.http = context.http;
  o.retry.max_attempts = context.max_attempts;
  o.multipart_threshold = context.multipart_threshold;
  o.part_size = context.part_size;
  o.part_concurrency = context.part_concurrency;
  return o;
}

}  // namespace

bool IsStoreUrl(std::string_view text) {
  return text.starts_with("s3://") || text.starts_with("file://") || text.starts_with("memory://");
}

Result<std::shared_ptr<ObjectStore>> OpenStore(std::string_view url, const StoreContext& context) {
  MV_ASSIGN_OR_RETURN(Uri uri, ParseUri(url));
  if (uri.scheme == "file") {
    MV_RETURN_IF_ERROR(CheckParams(uri, {}, url));
    if (!uri.host.empty() && uri.host != "localhost") {
      return InvalidArgument("store URL " + RedactUrl(url) +
                             ": file URLs name a local path: write file:///absolute/path");
    }
    if (uri.path.empty()) return InvalidArgument("store URL " + RedactUrl(url) + " has no path");
    return MakeLocalStore({.root = uri.path, .create = context.create});
  }
  if (uri.scheme == "s3") {
    MV_ASSIGN_OR_RETURN(s3::S3StoreOptions options, S3OptionsFromUri(uri, url, context));
    return s3::MakeS3Store(std::move(options));
  }
  if (uri.scheme == "memory") return MakeMemoryStore();
  return InvalidArgument("store URL " + RedactUrl(url) + ": unknown scheme \"" + uri.scheme +
                         "\" (use file:///path or s3://bucket/prefix)");
}

Result<StoreLocation> OpenStoreLocation(std::string_view url, const StoreContext& context) {
  MV_ASSIGN_OR_RETURN(Uri uri, ParseUri(url));
  std::string path = uri.path;
  Uri store_uri = uri;
  StoreLocation location;
  if (uri.scheme == "s3") {
    store_uri.path = "";
    location.key = path.empty() ? "" : path.substr(1);
  } else if (uri.scheme == "file") {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos)
      return InvalidArgument("store URL " + RedactUrl(url) + " has no path");
    store_uri.path = slash == 0 ? "/" : path.substr(0, slash);
    location.key = path.substr(slash + 1);
  }
  MV_ASSIGN_OR_RETURN(location.store, OpenStore(store_uri.ToString(), context));
  return location;
}

}  // namespace mv::store
