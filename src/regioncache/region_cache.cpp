#include "regioncache/region_cache.h"

#include <utility>

#include "util/hash.h"
#include "util/log.h"

namespace mv::regioncache {

RegionCache::RegionCache(RegionCacheConfig config,
                         std::map<std::string, std::shared_ptr<store::ObjectStore>> stores,
                         std::unique_ptr<CopyState> state, std::string owner, Clock* clock,
                         std::shared_ptr<const OriginFetcher> origins)
    : config_(std::move(config)),
      state_(std::move(state)),
      owner_(std::move(owner)),
      clock_(clock != nullptr ? *clock : SystemClock()),
      origins_(std::move(origins)),
      maker_(origins_),
      expiry_(*state_, clock_),
      flights_(kCopyThreads) {
  for (const RegionConfig& r : config_.regions) {
    auto it = stores.find(r.name);
    if (it != stores.end()) regions_[r.name] = Region{&r, it->second};
  }
}

RegionCache::~RegionCache() = default;

void RegionCache::ExpireEvery(std::chrono::milliseconds every) {
  expiry_.Every(every, [this] {
    for (const auto& [name, region] : regions_) {
      // A state emptied under the running server (Redis restarted) is rebuilt first.
      if (Result<int> n = Rebuild(name); !n.ok()) {
        LogWarn("region state not rebuilt", {{"region", name}, {"error", n.status()}});
      }
      if (Result<int> n = Expire(name); !n.ok()) {
        LogWarn("region expiry failed", {{"region", name}, {"error", n.status()}});
      } else if (*n > 0) {
        LogInfo("region copies expired", {{"region", name}, {"copies", *n}});
      }
    }
  });
}

Result<std::string> RegionCache::UrlOf(const Region& region, const std::string& key) {
  if (region.config->redirect == RedirectMode::kPublic) return region.config->public_base + key;
  return region.store->PresignGet(key, region.config->presign_ttl);
}

std::string RegionCache::UrlKey(const std::string& normalized_url) {
  return std::string(kUrlCopyPrefix) + Sha256Hex(normalized_url);
}

Status RegionCache::Fill(const Region& region, const std::string& key, const Maker& make) {
  const std::string& name = region.config->name;
  const auto deadline = clock_.SteadyNow() + std::chrono::minutes(30);
  for (;;) {
    MV_ASSIGN_OR_RETURN(Claim claim, state_->ClaimCopy(name, key, owner_));
    if (claim.outcome == ClaimOutcome::kReady) return Status::Ok();
    if (claim.outcome == ClaimOutcome::kClaimed) {
      const auto t0 = clock_.SteadyNow();
      Result<MadeCopy> made = make(region);
      Status st = made.status();
      const uint64_t size = made.ok() ? made->size : 0;
      if (st.ok())
        st = state_->CompleteCopy(name, key, owner_, size, made->etag, region.config->Hold());
      const double secs = std::chrono::duration<double>(clock_.SteadyNow() - t0).count();
      {
        util::MutexLock lock(mu_);
        RegionStats& s = stats_[name];
        if (st.ok()) {
          ++s.copies;
          if (made->by_server) ++s.server_copies;
          s.copy_bytes += size;
          s.copy_seconds += secs;
        } else {
          ++s.copy_failures;
        }
      }
      if (!st.ok()) {
        state_->AbandonCopy(name, key, owner_).IgnoreError();
        LogWarn("region copy failed", {{"region", name}, {"key", key}, {"error", st}});
        return st;
      }
      LogInfo("region copy made",
              {{"region", name}, {"key", key}, {"bytes", size}, {"seconds", secs}});
      if (region.config->budget > 0) {
        if (Result<int> expired = Expire(name); !expired.ok()) {
          LogWarn("region expiry failed", {{"region", name}, {"error", expired.status()}});
        }
      }
      return Status::Ok();
    }
    // Another instance copies it: wait for its row to become ready (or its claim to go stale,
    // when the next ClaimCopy takes it over).
    if (clock_.SteadyNow() > deadline) {
      return Unavailable("the copy of " + key + " into " + name + " by " + claim.entry.owner +
                         " did not finish");
    }
    state_->AwaitChange(name, key, std::chrono::seconds(1));
  }
}

void RegionCache::Remember(const std::string& flight, std::chrono::milliseconds hold) {
  util::MutexLock lock(mu_);
  if (known_.size() > 100'000) known_.clear();
  known_[flight] = Known{clock_.SteadyNow() +
                         std::min<std::chrono::milliseconds>(std::chrono::seconds(1), hold / 2)};
}

Result<std::optional<Redirect>> RegionCache::TryHit(const std::string& region_name,
                                                    const archive::Sha256& sha256) {
  return TryHitKey(region_name, archive::BlobKey(sha256));
}

Result<std::optional<Redirect>> RegionCache::TryHitUrl(const std::string& region_name,
                                                       const AllowedUrl& url) {
  if (!regions_.contains(region_name)) return NotFound("no region '" + region_name + "'");
  const std::string key = UrlKey(url.url);
  if (ValidationDue(region_name + "/" + key)) return std::optional<Redirect>();
  return TryHitKey(region_name, key);
}

Result<std::optional<Redirect>> RegionCache::TryHitKey(const std::string& region_name,
                                                       const std::string& key) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  const std::string flight = region_name + "/" + key;
  const std::chrono::milliseconds in_use = region.config->Hold();
  bool fresh = false;
  {
    util::MutexLock lock(mu_);
    auto it = known_.find(flight);
    fresh = it != known_.end() && it->second.fresh_until > clock_.SteadyNow();
  }
  if (!fresh) {
    MV_ASSIGN_OR_RETURN(std::optional<CopyEntry> entry, state_->Get(region_name, key));
    fresh = entry && entry->ready;
    if (fresh) {
      MV_RETURN_IF_ERROR(state_->Touch(region_name, key, in_use));
      Remember(flight, in_use);
    }
  }
  if (fresh) {
    MV_ASSIGN_OR_RETURN(std::string url, UrlOf(region, key));
    util::MutexLock lock(mu_);
    ++stats_[region_name].hits;
    return std::optional<Redirect>(Redirect{.location = std::move(url), .hit = true});
  }
  return std::optional<Redirect>();
}

Result<Redirect> RegionCache::ForBlob(const std::string& region_name,
                                      store::ObjectStore& archive_store,
                                      const archive::Sha256& sha256, uint64_t size,
                                      const std::string& fallback, bool hit_checked) {
  return Answer(
      region_name, archive::BlobKey(sha256),
      [this, &archive_store, sha256, size](const Region& region) {
        return maker_.CopyBlob(*region.store, archive_store, sha256, size);
      },
      fallback, hit_checked);
}

bool RegionCache::ValidationDue(const std::string& flight) {
  util::MutexLock lock(mu_);
  auto it = validated_.find(flight);
  return it == validated_.end() || it->second <= clock_.SteadyNow();
}

void RegionCache::Validated(const std::string& flight) {
  util::MutexLock lock(mu_);
  if (validated_.size() > 100'000) validated_.clear();
  validated_[flight] = clock_.SteadyNow() + config_.revalidate;
}

Status RegionCache::Revalidate(const std::string& region_name, const AllowedUrl& url,
                               const std::string& key) {
  const std::string flight = region_name + "/" + key;
  if (!ValidationDue(flight)) return Status::Ok();
  MV_ASSIGN_OR_RETURN(std::optional<CopyEntry> entry, state_->Get(region_name, key));
  if (!entry || !entry->ready) return Status::Ok();  // no copy yet: the fill fetches it
  // A check never holds the request longer than a copy may.
  Result<OriginObject> origin = origins_->Head(
      url,
      std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(config_.wait)));
  if (!origin.ok()) {
    // Served as it is (the origin is down, or now refuses): checked again after `revalidate`.
    LogWarn("region copy not revalidated",
            {{"region", region_name}, {"url", url.url.substr(0, 200)}, {"error", origin.status()}});
    Validated(flight);
    return Status::Ok();
  }
  const bool etag_changed = !entry->etag.empty() && origin->etag != entry->etag;
  if (!etag_changed && origin->length == entry->size) {
    Validated(flight);
    return Status::Ok();
  }
  LogInfo("region copy stale: the origin changed", {{"region", region_name},
                                                    {"url", url.url.substr(0, 200)},
                                                    {"etag", origin->etag},
                                                    {"was", entry->etag},
                                                    {"length", origin->length},
                                                    {"was_length", entry->size}});
  Status st = PurgeKey(region_name, key);
  return st.IsNotFound() ? Status::Ok() : st;
}

Result<Redirect> RegionCache::ForUrl(const std::string& region_name, const AllowedUrl& url) {
  if (!origins_) return PermissionDenied("origin URLs are not allowed ([regioncache] allow)");
  if (!regions_.contains(region_name)) return NotFound("no region '" + region_name + "'");
  const std::string key = UrlKey(url.url);
  MV_RETURN_IF_ERROR(Revalidate(region_name, url, key));
  return Answer(
      region_name, key,
      [this, url, key](const Region& region) -> Result<MadeCopy> {
        MV_ASSIGN_OR_RETURN(MadeCopy made, maker_.CopyUrl(*region.config, *region.store, url, key));
        Validated(region.config->name + "/" + key);
        return made;
      },
      url.url, /*hit_checked=*/false);
}

Result<Redirect> RegionCache::Answer(const std::string& region_name, const std::string& key,
                                     Maker make, const std::string& fallback, bool hit_checked) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  if (!hit_checked) {
    MV_ASSIGN_OR_RETURN(std::optional<Redirect> hit, TryHitKey(region_name, key));
    if (hit) return std::move(*hit);
  }
  const std::string flight = region_name + "/" + key;
  const std::chrono::milliseconds in_use = region.config->Hold();
  // One fill per key in this process; everyone asking meanwhile waits on it.
  SingleFlight::Flight copy =
      flights_.Join(flight, [this, &region, key, make = std::move(make), region_name]() {
        {
          util::MutexLock lock(mu_);
          ++stats_[region_name].in_flight;
        }
        Status st = Fill(region, key, make);
        util::MutexLock lock(mu_);
        --stats_[region_name].in_flight;
        return st;
      });
  {
    util::MutexLock lock(mu_);
    RegionStats& s = stats_[region_name];
    ++s.misses;
    if (copy.joined) ++s.waits;
  }
  const std::shared_future<Status>& fill = copy.done;
  Redirect out;
  if (fill.wait_for(config_.wait) != std::future_status::ready) {
    out.reason = "the copy is not done within " + std::to_string(config_.wait.count()) + " ms";
  } else if (Status st = fill.get(); !st.ok()) {
    out.reason = st.ToString();
    out.failure = st;
  } else {
    MV_RETURN_IF_ERROR(state_->Touch(region_name, key, in_use));
    Remember(flight, in_use);
    MV_ASSIGN_OR_RETURN(out.location, UrlOf(region, key));
    return out;
  }
  out.fallback = true;
  out.location = fallback;
  util::MutexLock lock(mu_);
  ++stats_[region_name].fallbacks;
  return out;
}

Status RegionCache::Purge(const std::string& region_name, const archive::Sha256& sha256) {
  return PurgeKey(region_name, archive::BlobKey(sha256));
}

Status RegionCache::PurgeKey(const std::string& region_name, const std::string& key) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  MV_ASSIGN_OR_RETURN(std::optional<CopyEntry> entry, state_->Get(region_name, key));
  if (!entry || !entry->ready) return NotFound("region " + region_name + " has no copy of " + key);
  MV_RETURN_IF_ERROR(rit->second.store->Delete(key));
  MV_RETURN_IF_ERROR(state_->Forget(region_name, key));
  util::MutexLock lock(mu_);
  known_.erase(region_name + "/" + key);
  validated_.erase(region_name + "/" + key);
  ++stats_[region_name].evictions;
  return Status::Ok();
}

Result<int> RegionCache::Expire(const std::string& region_name) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  MV_ASSIGN_OR_RETURN(int deleted,
                      expiry_.Expire(*region.config, *region.store, [&](const std::string& key) {
                        util::MutexLock lock(mu_);
                        known_.erase(region_name + "/" + key);
                      }));
  if (deleted > 0) {
    util::MutexLock lock(mu_);
    stats_[region_name].evictions += static_cast<uint64_t>(deleted);
  }
  return deleted;
}

std::map<std::string, RegionStats> RegionCache::Stats() const {
  util::MutexLock lock(mu_);
  return stats_;
}

}  // namespace mv::regioncache
