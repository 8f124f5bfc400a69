// The conformance suite over the memory store and the local store (xattr and sidecar metadata).
#include <filesystem>

#include "store/forwarding_store.h"
#include "store/local_store.h"
#include "store/memory_store.h"
#include "store/object_store_conformance.h"

namespace mv::store {
namespace {

// A local store in a fresh temporary directory, removed with the store.
class TempLocalStore final : public ForwardingStore {
 public:
  TempLocalStore(std::shared_ptr<ObjectStore> target, std::unique_ptr<TempDir> dir)
      : ForwardingStore(std::move(target)), dir_(std::move(dir)) {}

 private:
  std::unique_ptr<TempDir> dir_;
};

StoreFactory LocalFactory(bool sidecar) {
  return {sidecar ? "local-sidecar" : "local", [sidecar]() -> std::shared_ptr<ObjectStore> {
            auto dir = std::make_unique<TempDir>();
            LocalStoreOptions options;
            options.root = dir->path() + "/store";
            options.force_sidecar_metadata = sidecar;
            Result<std::shared_ptr<ObjectStore>> store = MakeLocalStore(options);
            if (!store.ok()) {
              ADD_FAILURE() << store.status().ToString();
              return nullptr;
            }
            return std::make_shared<TempLocalStore>(*store, std::move(dir));
          }};
}

INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreConformance,
                         ::testing::Values(StoreFactory{"memory",
                                                        [] { return MakeMemoryStore(); }}));
INSTANTIATE_TEST_SUITE_P(Local, ObjectStoreConformance, ::testing::Values(LocalFactory(false)));
INSTANTIATE_TEST_SUITE_P(LocalSidecar, ObjectStoreConformance,
                         ::testing::Values(LocalFactory(true)));

}  // namespace
}  // namespace mv::store
