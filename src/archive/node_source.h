// Where tree nodes come from: the store (the truth, every node checked against its id), and the
// catalog's tree-node cache in front of it, with a bounded in-memory cache of decoded nodes in
// front of both, so that a warm lookup touches neither the catalog nor the store.
#pragma once

#include <cstddef>
#include <memory>

#include "archive/catalog.h"
#include "archive/tree_walk.h"
#include "store/object_store.h"

namespace mv::archive {

// Reads trees/<id> from `store`; Corruption when the bytes do not hash to the id or do not decode.
std::unique_ptr<NodeSource> MakeStoreNodeSource(std::shared_ptr<store::ObjectStore> store);

// The catalog's cache first (nodes there are checked against their id too), then the store.
// `catalog` may be null (store only). Keeps up to `memory_nodes` decoded nodes in memory (LRU).
std::unique_ptr<NodeSource> MakeCachedNodeSource(std::shared_ptr<store::ObjectStore> store,
                                                 Catalog* catalog, size_t memory_nodes = 65536);

}  // namespace mv::archive
