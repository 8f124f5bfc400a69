#include "regioncache/single_flight.h"

#include <memory>
#include <utility>

namespace mv::regioncache {

SingleFlight::SingleFlight(size_t threads)
    : pool_(ThreadPoolOptions{.threads = threads < 1 ? 1 : threads}) {}

SingleFlight::Flight SingleFlight::Join(const std::string& key, std::function<Status()> fill) {
  util::MutexLock lock(mu_);
  auto it = in_flight_.find(key);
  if (it != in_flight_.end()) return Flight{.done = it->second, .joined = true};
  auto promise = std::make_shared<std::promise<Status>>();
  std::shared_future<Status> done = promise->get_future().share();
  in_flight_.emplace(key, done);
  // The queue is unbounded (a request never blocks here); the threads are not.
  const bool queued = pool_.Post([this, key, fill = std::move(fill), promise] {
    Status st = fill();
    {
      util::MutexLock inner(mu_);
      in_flight_.erase(key);
    }
    promise->set_value(std::move(st));
  });
  if (!queued) {
    in_flight_.erase(key);
    promise->set_value(Unavailable("the region cache is stopping"));
  }
  return Flight{.done = std::move(done)};
}

}  // namespace mv::regioncache
