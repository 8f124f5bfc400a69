// CopyMaker: makes one copy in a region's store (region_cache.h). Archive content is copied by
// the store itself when the archive store and the region are one S3 service (CopyFrom), else
// streamed through a scratch file with its SHA-256 checked; an origin URL's object is fetched
// through the origin fetcher (origin_fetch.h) into a scratch file and stored with the origin's
// length, ETag and URL as metadata. Scratch files are unique across threads and processes
// (mkostemp) and removed when the copy is done.
//
// Thread-safe (it keeps no state of its own).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "archive/ids.h"
#include "regioncache/origin_fetch.h"
#include "regioncache/region_config.h"
#include "store/object_store.h"
#include "util/status.h"

namespace mv::regioncache {

// What a copy holds once made: its size and the origin's ETag (URL copies).
struct MadeCopy {
  uint64_t size = 0;
  std::string etag;
  bool by_server = false;  // the S3 server copied it (CopyFrom)
};

class CopyMaker {
 public:
  // `origins` fetches origin URLs (null: CopyUrl is refused with PermissionDenied).
  explicit CopyMaker(std::shared_ptr<const OriginFetcher> origins);

  // Blob `sha256` (`size` bytes) of `archive_store` into `region_store` under its blob key.
  Result<MadeCopy> CopyBlob(store::ObjectStore& region_store, store::ObjectStore& archive_store,
                            const archive::Sha256& sha256, uint64_t size) const;
  // The origin object `url` into `region_store` under `key`. PermissionDenied when the object
  // is larger than the region's budget; the fetcher's errors otherwise.
  Result<MadeCopy> CopyUrl(const RegionConfig& region, store::ObjectStore& region_store,
                           const AllowedUrl& url, const std::string& key) const;

 private:
  std::shared_ptr<const OriginFetcher> origins_;
};

}  // namespace mv::regioncache
