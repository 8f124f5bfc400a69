// The transport's BlobReader over the archive store: the bytes of BlobBody responses (file
// answers, server/file_response.h), each read one ranged GET of the store. A client waits on
// every read, so the store is asked with few retries, and while it is unavailable reads fail at
// once (a 503 with Retry-After) instead of each waiting out its retries: after a read fails with
// Unavailable, reads are refused for `unavailable_for`, then tried again (the first success ends
// it). Every read is timed and counted by the metrics, by store kind.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "httpd/http_message.h"
#include "server/metrics.h"
#include "store/object_store.h"
#include "util/clock.h"

namespace mv::server {

struct StoreBlobReaderOptions {
  int max_attempts = 2;                             // per read, at transient failures
  std::chrono::milliseconds unavailable_for{1000};  // reads refused after an Unavailable
  // Read buffers kept for reuse (server/read_buffers.h): at most this many bytes, each for at
  // most `keep_buffers_for` unused. Best the transport's read budget.
  size_t keep_buffers = size_t{512} << 20;
  std::chrono::milliseconds keep_buffers_for{10000};
};

// `store`, `metrics` (may be null) and `clock` outlive the reader. Errors are the store's, or
// Corruption when it gave another length, or Unavailable while the store is held unavailable.
std::unique_ptr<httpd::BlobReader> MakeStoreBlobReader(store::ObjectStore& store,
                                                       ServerMetrics* metrics, Clock& clock,
                                                       StoreBlobReaderOptions options = {});

}  // namespace mv::server
