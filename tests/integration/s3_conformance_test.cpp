// The ObjectStore conformance suite against the real S3 server (Ceph RGW), each test on a fresh
// prefix of the test bucket; with a small multipart threshold so multipart paths run too.
#include "store/object_store_conformance.h"
#include "support/s3_test_env.h"

namespace mv::store {
namespace {

std::shared_ptr<ObjectStore> MakeTestS3Store(uint64_t multipart_threshold) {
  auto env = mv::testing::LoadS3TestEnv();
  auto options = mv::testing::S3OptionsFor(env, mv::testing::UniquePrefix("conformance"));
  options.multipart_threshold = multipart_threshold;
  options.part_size = 5ull << 20;
  return s3::MakeS3Store(std::move(options));
}

INSTANTIATE_TEST_SUITE_P(
    S3, ObjectStoreConformance,
    ::testing::Values(StoreFactory{"s3", [] { return MakeTestS3Store(64ull << 20); }},
                      StoreFactory{"s3_multipart", [] { return MakeTestS3Store(5ull << 20); }}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mv::store
