// The ObjectStore conformance suite: one value-parameterised test suite that every ObjectStore
// implementation must pass (memory, local, S3). The parameter is a named factory returning a
// fresh, empty store each time it is called (for S3: a fresh prefix of a test bucket).
//
// Link the `mv_store_conformance` target and instantiate, in any test binary:
//
//   INSTANTIATE_TEST_SUITE_P(S3, mv::store::ObjectStoreConformance,
//                            ::testing::Values(mv::store::StoreFactory{"s3", [] { return ...; }}));
//
// Tests that need a capability ask the store's predicate (SupportsConditionalPut()), never its
// name. Nothing here sleeps on purpose; stores may be slow (S3), so sizes are moderate.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "store/object_store.h"
#include "store/store_test_util.h"

namespace mv::store {

struct StoreFactory {
  std::string name;  // shown as the parameter in test names and failures
  std::function<std::shared_ptr<ObjectStore>()> make;
};
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

class ObjectStoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;

  ObjectStore& store() { return *store_; }

  // Puts and expects success (records a failure, naming the key, otherwise).
  void Put(const std::string& key, std::string_view data, const PutOptions& options = {});
  // Gets the whole object (or the range), "<error>" and a failure when it fails.
  std::string Get(const std::string& key, const GetOptions& options = {});
  bool Exists(const std::string& key);
  // Every key through ListAll, in the order returned.
  std::vector<std::string> ListKeys(ListOptions options);
  // Objects and common prefixes of every page, in order, common prefixes suffixed "(cp)".
  std::vector<std::string> ListItems(ListOptions options);

  std::shared_ptr<ObjectStore> store_;
};

}  // namespace mv::store
