#include "regioncache/region_expiry.h"

#include <utility>

#include "util/log.h"

namespace mv::regioncache {

RegionExpiry::~RegionExpiry() {
  {
    util::MutexLock lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> RegionExpiry::Expire(const RegionConfig& config, store::ObjectStore& store,
                                 const std::function<void(const std::string& key)>& deleted) {
  MV_ASSIGN_OR_RETURN(std::vector<CopyEntry> ready, state_.ListReady(config.name));
  const TimePoint now = clock_.Now();
  uint64_t total = 0;
  for (const CopyEntry& e : ready) total += e.size;
  int count = 0;
  for (const CopyEntry& e : ready) {  // least recently used first
    const bool expired = now - e.last_used >= config.ttl;
    const bool over = config.budget > 0 && total > config.budget;
    if (!expired && !over) continue;
    if (e.in_use_until > now) continue;  // a redirect to it may still be followed
    Status st = store.Delete(e.key);
    if (!st.ok()) {
      LogWarn("region copy not deleted", {{"region", config.name}, {"key", e.key}, {"error", st}});
      continue;
    }
    MV_RETURN_IF_ERROR(state_.Forget(config.name, e.key));
    deleted(e.key);
    total -= e.size;
    ++count;
  }
  return count;
}

void RegionExpiry::Every(std::chrono::milliseconds every, std::function<void()> sweep) {
  {
    util::MutexLock lock(mu_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this, every, sweep = std::move(sweep)] { Loop(every, sweep); });
  }
}

void RegionExpiry::Loop(std::chrono::milliseconds every, const std::function<void()>& sweep) {
  for (;;) {
    {
      util::MutexLock lock(mu_);
      const auto until = std::chrono::steady_clock::now() + every;
      while (!stopping_ && stop_.wait_until(lock.native(), until) == std::cv_status::no_timeout) {
      }
      if (stopping_) return;
    }
    sweep();
  }
}

}  // namespace mv::regioncache
