// MemoryStore: an ObjectStore held in this process's memory, for unit tests.
//
// Honest semantics, so tests of higher layers mean something: Put reads the whole reader before
// anything becomes visible, verifies expected_sha256 first, and if_absent is checked and applied
// under one lock (atomic). Objects are immutable once visible; Get and Copy share their bytes.
// The etag is the lower-case hex SHA-256 of the content. Listing walks keys in byte order.
// Thread-safe. Capabilities: conditional put, batch delete (DeleteMany takes the lock once) and
// server-side copy (no bytes move) are all true. PresignGet is InvalidArgument.
#pragma once

#include <memory>

#include "store/object_store.h"

namespace mv::store {

// A fresh, empty store; Describe() is "memory://<unique id>".
std::shared_ptr<ObjectStore> MakeMemoryStore();

}  // namespace mv::store
