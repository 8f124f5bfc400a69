// A BlobReader that keeps whole small objects in memory (Release, Packages, small files: the hot
// part of an archive), up to a byte budget, least recently used first out. Blobs are named by
// their SHA-256 and never change, so an entry is never stale. The first reads of an object that
// fits read it whole, once for all who ask at the same time; later reads of any of its ranges
// are answered from memory without a store read, on the connection's thread (ReadCached).
// Larger objects pass through to the reader below.
#pragma once

#include <cstdint>
#include <memory>

#include "httpd/http_message.h"

namespace mv::server {

struct BlobCacheOptions {
  uint64_t budget = 256ull << 20;  // bytes of objects kept; 0: none
  // Objects larger than this are never kept (0: budget / 16, at most 16 MiB).
  uint64_t max_object = 0;
};

// `below` outlives the cache.
std::unique_ptr<httpd::BlobReader> MakeBlobCache(httpd::BlobReader& below,
                                                 BlobCacheOptions options);

}  // namespace mv::server
