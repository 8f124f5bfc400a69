// Downloads straight into the store: the bytes of one upstream file are hashed (SHA-256 and
// SHA-1) and written as they arrive, then checked against the size and SHA-256 the index
// promised, and only then named blobs/<sha256>. A store that can stage writes (local) receives
// the bytes directly; others (S3) get them from a spool file once verified.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "archive/ids.h"
#include "importer/upstream_fetcher.h"
#include "store/object_store.h"
#include "util/status.h"

namespace mv::importer {

struct ExpectedFile {
  std::string path;  // relative to the repository's root, for messages
  uint64_t size = 0;
  archive::Sha256 sha256{};
  // False when no index gives the size (installer images: SHA256SUMS has only hashes); the
  // SHA-256 is checked all the same, the size is bounded by kMaxUnlistedSize.
  bool size_known = true;
};

inline constexpr uint64_t kMaxUnlistedSize = 16ull << 30;

struct DownloadedBlob {
  archive::Sha256 sha256{};
  archive::Sha1 sha1{};
  uint64_t size = 0;
};

// Fetches `file.path` through `fetcher` into `store` as the blob of `file.sha256` (written with
// defer_sync: durable at the next Sync). A size that differs is retried (a truncated transfer);
// a complete body with another SHA-256 is Corruption naming the file, the expected and the
// received hash, and nothing is stored.
Result<DownloadedBlob> DownloadBlob(UpstreamFetcher& fetcher, store::ObjectStore& store,
                                    const ExpectedFile& file);

}  // namespace mv::importer
