// The real S3 server the integration tests use, as scripts/test-services describes it in the
// environment (MV_TEST_S3_*). A missing variable fails the test: integration tests never skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "store/s3/s3_store.h"
#include "support/require_env.h"

namespace mv::testing {

struct S3TestEnv {
  std::string endpoint;  // http://127.0.0.1:PORT
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::string bucket;

  // "host:port" of the endpoint.
  std::string Authority() const { return endpoint.substr(endpoint.find("://") + 3); }
};

inline S3TestEnv LoadS3TestEnv() {
  return {RequireEnv("MV_TEST_S3_ENDPOINT"), RequireEnv("MV_TEST_S3_REGION"),
          RequireEnv("MV_TEST_S3_ACCESS_KEY"), RequireEnv("MV_TEST_S3_SECRET_KEY"),
          RequireEnv("MV_TEST_S3_BUCKET")};
}

// A prefix no other test run uses.
inline std::string UniquePrefix(const std::string& what) {
  static std::mt19937_64 rng{std::random_device{}()};
  return what + "-" + std::to_string(rng() % 1000000000000ull) + "/";
}

inline s3::S3StoreOptions S3OptionsFor(const S3TestEnv& env, const std::string& prefix) {
  s3::S3StoreOptions o;
  o.endpoint = {.scheme = "http",
                .authority = env.Authority(),
                .bucket = env.bucket,
                .region = env.region,
                .virtual_hosted = false};
  o.prefix = prefix;
  o.credentials = {env.access_key, env.secret_key, ""};
  return o;
}

}  // namespace mv::testing
