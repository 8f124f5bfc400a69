// RegionExpiry: what a region must not keep (region_cache.h). Its least recently used copies go
// until it fits its budget, and copies unused for its ttl go too; a copy a redirect handed out
// within its validity (presign ttl) is kept until that has passed. Sweeps run on demand (after a
// copy) and every period on a thread of their own.
//
// Thread-safe. The destructor stops the periodic sweeps at once (not after their period) and
// joins their thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <string>
#include <thread>

#include "regioncache/copy_state.h"
#include "regioncache/region_config.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace mv::regioncache {

class RegionExpiry {
 public:
  // `state` and `clock` outlive this object.
  RegionExpiry(CopyState& state, Clock& clock) : state_(state), clock_(clock) {}
  ~RegionExpiry();
  RegionExpiry(const RegionExpiry&) = delete;
  RegionExpiry& operator=(const RegionExpiry&) = delete;

  // Deletes from `store`, and forgets in the state, the copies region `config` must not keep;
  // `deleted` is told each key as it goes. How many copies were deleted. A copy the store fails
  // to delete is logged and kept; a state that fails is the error.
  Result<int> Expire(const RegionConfig& config, store::ObjectStore& store,
                     const std::function<void(const std::string& key)>& deleted);

  // Calls `sweep` every `every` on a thread of its own until destroyed; the first call starts
  // the thread, later ones do nothing.
  void Every(std::chrono::milliseconds every, std::function<void()> sweep) EXCLUDES(mu_);

 private:
  void Loop(std::chrono::milliseconds every, const std::function<void()>& sweep) EXCLUDES(mu_);

  CopyState& state_;
  Clock& clock_;
  util::Mutex mu_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::condition_variable stop_;  // signalled when stopping_ is set
  std::thread thread_;
};

}  // namespace mv::regioncache
