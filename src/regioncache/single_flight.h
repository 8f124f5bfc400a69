// SingleFlight: one fill per key in this process (region_cache.h). The first Join for a key
// starts its fill on a worker of a bounded pool; every Join for that key until the fill is done
// gets the same shared future. A fill outlives the callers that started or joined it: one that
// stops waiting (its bound, a client gone) leaves it to finish for the next one.
//
// Thread-safe. The destructor runs the fills already accepted and joins the workers, so a fill
// may use whatever outlives this object.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <map>
#include <string>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"
#include "util/thread_pool.h"

namespace mv::regioncache {

class SingleFlight {
 public:
  // `threads`: fills that run at once; more wait in the pool's queue for a worker.
  explicit SingleFlight(size_t threads);
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  struct Flight {
    std::shared_future<Status> done;
    bool joined = false;  // a fill of the key was in flight already (`fill` was not used)
  };
  // The fill of `key` in flight, or else `fill` queued for it. A fill is forgotten before its
  // future is ready, so a Join after the answer (a retry after a failure) starts a new one.
  Flight Join(const std::string& key, std::function<Status()> fill) EXCLUDES(mu_);

 private:
  util::Mutex mu_;
  std::map<std::string, std::shared_future<Status>> in_flight_ GUARDED_BY(mu_);
  ThreadPool pool_;  // last: drained and joined before the map and the mutex go
};

}  // namespace mv::regioncache
