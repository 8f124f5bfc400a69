#include "regioncache/region_cache.h"

#include <filesystem>
#include <thread>

#include "util/log.h"

namespace mv::regioncache {

namespace fs = std::filesystem;

RegionCache::RegionCache(RegionCacheConfig config,
                         std::map<std::string, std::shared_ptr<store::ObjectStore>> stores,
                         std::unique_ptr<CopyState> state, std::string owner, Clock* clock)
    : config_(std::move(config)),
      state_(std::move(state)),
      owner_(std::move(owner)),
      clock_(clock != nullptr ? *clock : SystemClock()) {
  for (const RegionConfig& r : config_.regions) {
    auto it = stores.find(r.name);
    if (it != stores.end()) regions_[r.name] = Region{&r, it->second};
  }
}

RegionCache::~RegionCache() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return copying_ == 0; });
}

Result<std::string> RegionCache::UrlOf(const Region& region, const std::string& key) {
  if (region.config->redirect == RedirectMode::kPublic) return region.config->public_base + key;
  return region.store->PresignGet(key, region.config->presign_ttl);
}

Status RegionCache::Copy(const Region& region, store::ObjectStore& archive_store,
                         const archive::Sha256& sha256, uint64_t size) {
  const std::string key = archive::BlobKey(sha256);
  const std::string hex = archive::ToHex(sha256);
  store::PutOptions put;
  put.content_type = "application/octet-stream";
  put.metadata = {{"mv-sha256", hex}};
  // The same S3 service: the store copies (the blob's key names its verified hash).
  std::optional<store::CopySource> from = archive_store.CopySourceOf(key);
  std::optional<store::CopySource> to = region.store->CopySourceOf(key);
  if (from && to && from->service == to->service) {
    return region.store->CopyFrom(archive_store, key, key, size, put);
  }
  put.expected_sha256 = hex;
  const fs::path tmp = fs::temp_directory_path() / ("mirrorvault-regioncache-" + hex + "-" +
                                                    std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  Status st = archive_store.GetFile(key, tmp.string(), {.size_hint = size});
  if (st.ok()) st = region.store->PutFile(key, tmp.string(), put);
  std::error_code ec;
  fs::remove(tmp, ec);
  return st;
}

Status RegionCache::Fill(const Region& region, store::ObjectStore& archive_store,
                         const archive::Sha256& sha256, uint64_t size) {
  const std::string& name = region.config->name;
  const std::string key = archive::BlobKey(sha256);
  const auto deadline = clock_.SteadyNow() + std::chrono::minutes(30);
  for (;;) {
    MV_ASSIGN_OR_RETURN(Claim claim, state_->ClaimCopy(name, key, owner_));
    if (claim.outcome == ClaimOutcome::kReady) return Status::Ok();
    if (claim.outcome == ClaimOutcome::kClaimed) {
      const auto t0 = clock_.SteadyNow();
      Status st = Copy(region, archive_store, sha256, size);
      if (st.ok()) st = state_->CompleteCopy(name, key, owner_, size, "", region.config->Hold());
      const double secs = std::chrono::duration<double>(clock_.SteadyNow() - t0).count();
      {
        std::lock_guard lock(mu_);
        RegionStats& s = stats_[name];
        if (st.ok()) {
          ++s.copies;
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
      LogInfo("region copy made", {{"region", name}, {"key", key}, {"bytes", size}, {"seconds", secs}});
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
  std::lock_guard lock(mu_);
  if (known_.size() > 100'000) known_.clear();
  known_[flight] = Known{clock_.SteadyNow() +
                         std::min<std::chrono::milliseconds>(std::chrono::seconds(1), hold / 2)};
}

Result<std::optional<Redirect>> RegionCache::TryHit(const std::string& region_name,
                                                   const archive::Sha256& sha256) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  const std::string key = archive::BlobKey(sha256);
  const std::string flight = region_name + "/" + key;
  const std::chrono::milliseconds in_use = region.config->Hold();
  bool fresh = false;
  {
    std::lock_guard lock(mu_);
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
    std::lock_guard lock(mu_);
    ++stats_[region_name].hits;
    return std::optional<Redirect>(Redirect{.location = std::move(url), .hit = true});
  }
  return std::optional<Redirect>();
}

Result<Redirect> RegionCache::ForBlob(
const std::string& region_name,
                                      store::ObjectStore& archive_store,
                                      const archive::Sha256& sha256, uint64_t size,
                                      const std::string& fallback) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  MV_ASSIGN_OR_RETURN(std::optional<Redirect> hit, TryHit(region_name, sha256));
  if (hit) return std::move(*hit);
  const std::string key = archive::BlobKey(sha256);
  const std::string flight = region_name + "/" + key;
  const std::chrono::milliseconds in_use = region.config->Hold();
  // One fill per key in this process; everyone asking meanwhile waits on it.
  std::shared_future<Status> fill;
  {
    std::lock_guard lock(mu_);
    RegionStats& s = stats_[region_name];
    ++s.misses;
    auto it = in_flight_.find(flight);
    if (it != in_flight_.end()) {
      fill = it->second;
      ++s.waits;
    } else {
      auto promise = std::make_shared<std::promise<Status>>();
      fill = promise->get_future().share();
      in_flight_[flight] = fill;
      ++s.in_flight;
      ++copying_;
      // The copy outlives the request that started it: a request that stops waiting (the
      // bound, a client gone) leaves it to finish for the next one.
      std::thread([this, &region, &archive_store, sha256, size, promise, flight, region_name] {
        Status st = Fill(region, archive_store, sha256, size);
        {
          // Forgotten before it is answered: whoever asks after the answer (a retry after a
          // failure) starts a fill of its own rather than joining this finished one.
          std::lock_guard inner(mu_);
          in_flight_.erase(flight);
          --stats_[region_name].in_flight;
        }
        promise->set_value(st);
        std::lock_guard inner(mu_);
        --copying_;
        idle_.notify_all();
      }).detach();
    }
  }
  Redirect out;
  if (fill.wait_for(config_.wait) != std::future_status::ready) {
    out.reason = "the copy is not done within " + std::to_string(config_.wait.count()) + " ms";
  } else if (Status st = fill.get(); !st.ok()) {
    out.reason = st.ToString();
  } else {
    MV_RETURN_IF_ERROR(state_->Touch(region_name, key, in_use));
    Remember(flight, in_use);
    MV_ASSIGN_OR_RETURN(out.location, UrlOf(region, key));
    return out;
  }
  out.fallback = true;
  out.location = fallback;
  std::lock_guard lock(mu_);
  ++stats_[region_name].fallbacks;
  return out;
}

Status RegionCache::Purge(const std::string& region_name, const archive::Sha256& sha256) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const std::string key = archive::BlobKey(sha256);
  MV_ASSIGN_OR_RETURN(std::optional<CopyEntry> entry, state_->Get(region_name, key));
  if (!entry || !entry->ready) return NotFound("region " + region_name + " has no copy of " + key);
  MV_RETURN_IF_ERROR(rit->second.store->Delete(key));
  MV_RETURN_IF_ERROR(state_->Forget(region_name, key));
  std::lock_guard lock(mu_);
  known_.erase(region_name + "/" + key);
  ++stats_[region_name].evictions;
  return Status::Ok();
}

Result<int> RegionCache::Expire(const std::string& region_name) {
  auto rit = regions_.find(region_name);
  if (rit == regions_.end()) return NotFound("no region '" + region_name + "'");
  const Region& region = rit->second;
  MV_ASSIGN_OR_RETURN(std::vector<CopyEntry> ready, state_->ListReady(region_name));
  const TimePoint now = clock_.Now();
  uint64_t total = 0;
  for (const CopyEntry& e : ready) total += e.size;
  int deleted = 0;
  for (const CopyEntry& e : ready) {  // least recently used first
    const bool expired = now - e.last_used >= region.config->ttl;
    const bool over = region.config->budget > 0 && total > region.config->budget;
    if (!expired && !over) continue;
    if (e.in_use_until > now) continue;  // a redirect to it may still be followed
    Status st = region.store->Delete(e.key);
    if (!st.ok()) {
      LogWarn("region copy not deleted", {{"region", region_name}, {"key", e.key}, {"error", st}});
      continue;
    }
    MV_RETURN_IF_ERROR(state_->Forget(region_name, e.key));
    {
      std::lock_guard lock(mu_);
      known_.erase(region_name + "/" + e.key);
    }
    total -= e.size;
    ++deleted;
  }
  if (deleted > 0) {
    std::lock_guard lock(mu_);
    stats_[region_name].evictions += static_cast<uint64_t>(deleted);
  }
  return deleted;
}

std::map<std::string, RegionStats> RegionCache::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace mv::regioncache
