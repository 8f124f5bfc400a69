// The transport's BlobReader over an object store: the bytes of BlobBody responses (file
// answers, server/file_response.h) read from the archive store as they are sent, one ranged GET
// per chunk.
#pragma once

#include <memory>

#include "httpd/http_message.h"
#include "store/object_store.h"

namespace mv::server {

// `store` outlives the reader. Errors are the store's, or Corruption when it gave another length.
std::unique_ptr<httpd::BlobReader> MakeStoreBlobReader(store::ObjectStore& store);

}  // namespace mv::server
