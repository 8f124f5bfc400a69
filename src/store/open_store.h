// Opens stores from location URLs (file://, s3://, memory://): the one place that knows every
// ObjectStore implementation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "store/object_store.h"
#include "store/s3/credentials.h"

namespace mv::store {

struct StoreContext {
  s3::AwsEnvironment aws;                  // credentials, region, endpoint by AWS's conventions
  std::string endpoint_override;           // e.g. --endpoint-url; beats AWS_ENDPOINT_URL
  std::shared_ptr<http::HttpClient> http;  // shared by every S3 store; created when null
  int max_attempts = 7;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;
  int part_concurrency = 8;
  bool create = true;  // create a missing local root folder
};

// The store at `url`: file:///path, s3://bucket[/prefix][?endpoint=URL&region=R&addressing=
// path|virtual], memory://. InvalidArgument names the URL (without secrets) and what is wrong.
Result<std::shared_ptr<ObjectStore>> OpenStore(std::string_view url, const StoreContext& context);

// For operator commands: "s3://bucket/a/b" is key (or prefix) "a/b" of the store at the bucket;
// "file:///x/y/z" is key "z" of the folder /x/y ("file:///x/y/" is the folder itself, key "").
struct StoreLocation {
  std::shared_ptr<ObjectStore> store;
  std::string key;
};
Result<StoreLocation> OpenStoreLocation(std::string_view url, const StoreContext& context);

// True when `text` looks like a store URL rather than a local path.
bool IsStoreUrl(std::string_view text);

}  // namespace mv::store
