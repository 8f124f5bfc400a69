// CopyState in Redis ([regioncache] state = "redis://..."), shared by every server instance
// that names the same Redis; the semantics are the catalog state's (copy_state.h).
//
// Layout (a standalone Redis; every change of an entry is one Lua script, so atomic):
//   mv:rc:<region>:<key>          a hash: ready (0/1), owner, size, etag, claimed, last_used,
//                                 in_use_until (milliseconds since the epoch)
//   mv:rc-lru:<region>            a sorted set of the region's ready keys, scored by last_used
//   mv:rc-built:<region>          present while the region's state is built (MarkBuilt)
//   mv:rc:done:<region>:<key>     the channel CompleteCopy, AbandonCopy and Forget publish on,
//                                 which AwaitChange subscribes to
//
// Redis keeps no durable copy of it here (it may run without persistence): after a loss the
// state is rebuilt from the regions' stores (RegionCache::Rebuild).
//
// Thread-safe: commands go over a pool of connections (made when first needed, made again after
// a failure); each AwaitChange subscribes on a connection of its own. Errors: Unavailable
// (retryable) naming the URL without its password when Redis cannot be reached or times out;
// PermissionDenied for a wrong password.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "regioncache/copy_state.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::regioncache {

struct RedisCopyStateOptions {
  std::chrono::milliseconds stale_claim{60'000};
  Clock* clock = nullptr;  // SystemClock() when null
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds command_timeout{2'000};
  int connections = 8;  // the pool's size
};

// Connects once (so that a wrong address or password fails here) and loads the scripts.
// InvalidArgument for a URL that is not redis://[[user]:password@]host[:port][/db].
Result<std::unique_ptr<CopyState>> OpenRedisCopyState(const std::string& url,
                                                      RedisCopyStateOptions options = {});

}  // namespace mv::regioncache
