// CopyState in Redis: a hash per copy, a sorted set per region for LRU order, a Lua script per
// change (redis_copy_state.h).
#include "regioncache/redis_copy_state.h"

#include <algorithm>
#include <charconv>

#include "redis/redis_client.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "util/time_format.h"

namespace mv::regioncache {
namespace {

using redis::RedisConnection;
using redis::RedisConnectOptions;
using redis::RedisPool;
using redis::RedisUrl;
using redis::RedisValue;

// KEYS: entry. ARGV: owner, now, stale_ms. -> {outcome, HGETALL of the entry}
constexpr std::string_view kClaim = R"lua(
local e = KEYS[1]
if redis.call('EXISTS', e) == 0 then
  redis.call('HSET', e, 'ready', '0', 'owner', ARGV[1], 'size', '0', 'etag', '',
             'claimed', ARGV[2], 'last_used', ARGV[2], 'in_use_until', '0')
  return {'claimed', redis.call('HGETALL', e)}
end
local f = redis.call('HMGET', e, 'ready', 'claimed')
if f[1] == '1' then return {'ready', redis.call('HGETALL', e)} end
if tonumber(ARGV[2]) - tonumber(f[2] or '0') < tonumber(ARGV[3]) then
  return {'in_progress', redis.call('HGETALL', e)}
end
redis.call('HSET', e, 'owner', ARGV[1], 'claimed', ARGV[2])
return {'claimed', redis.call('HGETALL', e)}
)lua";

// KEYS: entry. ARGV: owner, now. -> 1 renewed, 0 not ours (any more)
constexpr std::string_view kRenew = R"lua(
local f = redis.call('HMGET', KEYS[1], 'ready', 'owner')
if f[1] ~= '0' or f[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'claimed', ARGV[2])
return 1
)lua";

// KEYS: entry, lru. ARGV: owner, size, etag, now, in_use_until, key, channel. -> 1 done, 0 not ours
constexpr std::string_view kComplete = R"lua(
local f = redis.call('HMGET', KEYS[1], 'ready', 'owner')
if f[1] ~= '0' or f[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ready', '1', 'size', ARGV[2], 'etag', ARGV[3], 'last_used', ARGV[4],
           'in_use_until', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
redis.call('PUBLISH', ARGV[7], 'ready')
return 1
)lua";

// KEYS: entry. ARGV: owner, channel. -> 1 dropped, 0 not ours
constexpr std::string_view kAbandon = R"lua(
local f = redis.call('HMGET', KEYS[1], 'ready', 'owner')
if f[1] ~= '0' or f[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], 'abandoned')
return 1
)lua";

// KEYS: entry, lru. ARGV: now, in_use_until, key. -> 1 touched, 0 no entry
constexpr std::string_view kTouch = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local f = redis.call('HMGET', KEYS[1], 'ready', 'in_use_until')
local held = ARGV[2]
if tonumber(f[2] or '0') > tonumber(ARGV[2]) then held = f[2] end
redis.call('HSET', KEYS[1], 'last_used', ARGV[1], 'in_use_until', held)
if f[1] == '1' then redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3]) end
return 1
)lua";

// KEYS: entry, lru. ARGV: key, channel. -> entries deleted
constexpr std::string_view kForget = R"lua(
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[2], 'forgotten')
return n
)lua";

// KEYS: entry, lru. ARGV: ready, owner, size, etag, claimed, last_used, in_use_until, key.
// -> 1 added, 0 an entry was there
constexpr std::string_view kRestore = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'ready', ARGV[1], 'owner', ARGV[2], 'size', ARGV[3], 'etag', ARGV[4],
           'claimed', ARGV[5], 'last_used', ARGV[6], 'in_use_until', ARGV[7])
if ARGV[1] == '1' then redis.call('ZADD', KEYS[2], ARGV[6], ARGV[8]) end
return 1
)lua";

// KEYS: lru. ARGV: the entries' key prefix. -> {{key, HGETALL}, ...} in LRU order (score, key).
// Reads the entries by name: this state needs a standalone Redis, not a cluster.
constexpr std::string_view kList = R"lua(
local out = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local h = redis.call('HGETALL', ARGV[1] .. m)
  if #h > 0 then out[#out + 1] = {m, h} end
end
return out
)lua";

enum ScriptId {
  kClaimId,
  kRenewId,
  kCompleteId,
  kAbandonId,
  kTouchId,
  kForgetId,
  kRestoreId,
  kListId,
  kScriptCount
};
constexpr std::string_view kScripts[kScriptCount] = {kClaim, kRenew,  kComplete, kAbandon,
                                                     kTouch, kForget, kRestore,  kList};

int64_t Int(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// An entry from HGETALL's flat field/value list.
CopyEntry EntryFromHash(const std::string& region, const std::string& key, const RedisValue& hash) {
  CopyEntry e{.region = region, .key = key};
  for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    const std::string& f = hash.elements[i].str;
    const std::string& v = hash.elements[i + 1].str;
    if (f == "ready")
      e.ready = v == "1";
    else if (f == "owner")
      e.owner = v;
    else if (f == "size")
      e.size = static_cast<uint64_t>(Int(v));
    else if (f == "etag")
      e.etag = v;
    else if (f == "claimed")
      e.claimed = FromUnixMs(Int(v));
    else if (f == "last_used")
      e.last_used = FromUnixMs(Int(v));
    else if (f == "in_use_until")
      e.in_use_until = FromUnixMs(Int(v));
  }
  return e;
}

class RedisCopyState final : public CopyState {
 public:
  RedisCopyState(RedisUrl url, RedisCopyStateOptions options)
      : options_(options),
        clock_(options.clock != nullptr ? *options.clock : SystemClock()),
        pool_(std::move(url),
              RedisConnectOptions{.connect_timeout = options.connect_timeout,
                                  .command_timeout = options.command_timeout},
              options.connections) {}

  // Loads the scripts (and so checks the address and the password).
  Status LoadScripts() EXCLUDES(mu_) {
    for (int i = 0; i < kScriptCount; ++i) {
      const std::string args[] = {"SCRIPT", "LOAD", std::string(kScripts[i])};
      MV_ASSIGN_OR_RETURN(RedisValue sha, pool_.Command(args, true));
      util::MutexLock lock(mu_);
      shas_[i] = sha.str;
    }
    return Status::Ok();
  }

  Result<Claim> ClaimCopy(const std::string& region, const std::string& key,
                          const std::string& owner) override {
    MV_ASSIGN_OR_RETURN(RedisValue r, Eval(kClaimId, {EntryKey(region, key)},
                                           {owner, std::to_string(ToUnixMs(clock_.Now())),
                                            std::to_string(options_.stale_claim.count())},
                                           false));
    if (r.elements.size() != 2) return Internal(Where() + ": unexpected reply to the claim script");
    Claim claim{.entry = EntryFromHash(region, key, r.elements[1])};
    const std::string& outcome = r.elements[0].str;
    claim.outcome = outcome == "ready"     ? ClaimOutcome::kReady
                    : outcome == "claimed" ? ClaimOutcome::kClaimed
                                           : ClaimOutcome::kInProgress;
    return claim;
  }

  Status RenewClaim(const std::string& region, const std::string& key,
                    const std::string& owner) override {
    MV_ASSIGN_OR_RETURN(RedisValue r, Eval(kRenewId, {EntryKey(region, key)},
                                           {owner, std::to_string(ToUnixMs(clock_.Now()))}, true));
    return r.integer == 1
               ? Status::Ok()
               : PreconditionFailed("the claim of " + region + "/" + key + " was taken over");
  }

  Status CompleteCopy(const std::string& region, const std::string& key, const std::string& owner,
                      uint64_t size, const std::string& etag,
                      std::chrono::milliseconds in_use) override {
    const int64_t now = ToUnixMs(clock_.Now());
    MV_ASSIGN_OR_RETURN(RedisValue r,
                        Eval(kCompleteId, {EntryKey(region, key), LruKey(region)},
                             {owner, std::to_string(size), etag, std::to_string(now),
                              std::to_string(now + in_use.count()), key, Channel(region, key)},
                             false));
    return r.integer == 1 ? Status::Ok()
                          : PreconditionFailed("the claim of " + region + "/" + key +
                                               " was taken over before the copy was done");
  }

  Status AbandonCopy(const std::string& region, const std::string& key,
                     const std::string& owner) override {
    return Eval(kAbandonId, {EntryKey(region, key)}, {owner, Channel(region, key)}, true).status();
  }

  Result<std::optional<CopyEntry>> Get(const std::string& region, const std::string& key) override {
    const std::string args[] = {"HGETALL", EntryKey(region, key)};
    MV_ASSIGN_OR_RETURN(RedisValue r, pool_.Command(args, true));
    if (r.elements.empty()) return std::optional<CopyEntry>();
    return std::optional<CopyEntry>(EntryFromHash(region, key, r));
  }

  Status Touch(const std::string& region, const std::string& key,
               std::chrono::milliseconds in_use) override {
    const int64_t now = ToUnixMs(clock_.Now());
    return Eval(kTouchId, {EntryKey(region, key), LruKey(region)},
                {std::to_string(now), std::to_string(now + in_use.count()), key}, true)
        .status();
  }

  Result<std::vector<CopyEntry>> ListReady(const std::string& region) override {
    MV_ASSIGN_OR_RETURN(RedisValue r,
                        Eval(kListId, {LruKey(region)}, {EntryKey(region, "")}, true));
    std::vector<CopyEntry> out;
    for (const RedisValue& item : r.elements) {
      if (item.elements.size() != 2) continue;
      CopyEntry e = EntryFromHash(region, item.elements[0].str, item.elements[1]);
      if (e.ready) out.push_back(std::move(e));
    }
    return out;
  }

  Status Forget(const std::string& region, const std::string& key) override {
    return Eval(kForgetId, {EntryKey(region, key), LruKey(region)}, {key, Channel(region, key)},
                true)
        .status();
  }

  void AwaitChange(const std::string& region, const std::string& key,
                   std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto poll = [&] {  // the backstop when the subscription cannot be made
      clock_.SleepFor(std::min<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(100)));
    };
    Result<RedisConnection> sub = RedisConnection::Connect(pool_.url(), pool_.options());
    if (!sub.ok()) return poll();
    const std::string args[] = {"SUBSCRIBE", Channel(region, key)};
    if (!sub->Command(args).ok()) return poll();
    // A change made before the subscription would never be announced to it: look once more.
    Result<std::optional<CopyEntry>> now = Get(region, key);
    if (!now.ok()) return poll();
    if (!*now || (*now)->ready || clock_.Now() - (*now)->claimed >= options_.stale_claim) {
      return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    sub->Receive(left).status().IgnoreError();  // a message, or the timeout: either way, look
  }

  Result<bool> RestoreCopy(const CopyEntry& e) override {
    MV_ASSIGN_OR_RETURN(
        RedisValue r,
        Eval(kRestoreId, {EntryKey(e.region, e.key), LruKey(e.region)},
             {e.ready ? "1" : "0", e.owner, std::to_string(e.size), e.etag,
              std::to_string(ToUnixMs(e.claimed)), std::to_string(ToUnixMs(e.last_used)),
              std::to_string(ToUnixMs(e.in_use_until)), e.key},
             true));
    return r.integer == 1;
  }

  Result<bool> IsBuilt(const std::string& region) override {
    const std::string args[] = {"EXISTS", BuiltKey(region)};
    MV_ASSIGN_OR_RETURN(RedisValue r, pool_.Command(args, true));
    return r.integer == 1;
  }

  Status MarkBuilt(const std::string& region) override {
    const std::string args[] = {"SET", BuiltKey(region), std::to_string(ToUnixMs(clock_.Now()))};
    return pool_.Command(args, true).status();
  }

 private:
  static std::string EntryKey(const std::string& region, const std::string& key) {
    return "mv:rc:" + region + ":" + key;
  }
  static std::string LruKey(const std::string& region) { return "mv:rc-lru:" + region; }
  static std::string BuiltKey(const std::string& region) { return "mv:rc-built:" + region; }
  static std::string Channel(const std::string& region, const std::string& key) {
    return "mv:rc:done:" + region + ":" + key;
  }
  std::string Where() const { return "the region cache state at " + pool_.url().ToString(); }

  // EVALSHA, or EVAL when the server lost the script (SCRIPT FLUSH, a restart).
  Result<RedisValue> Eval(ScriptId id, std::initializer_list<std::string> keys,
                          std::initializer_list<std::string> argv, bool idempotent) EXCLUDES(mu_) {
    std::vector<std::string> args;
    {
      util::MutexLock lock(mu_);
      args = {"EVALSHA", shas_[id], std::to_string(keys.size())};
    }
    args.insert(args.end(), keys.begin(), keys.end());
    args.insert(args.end(), argv.begin(), argv.end());
    Result<RedisValue> r = pool_.Command(args, idempotent);
    if (r.status().IsNotFound()) {
      args[0] = "EVAL";
      args[1] = std::string(kScripts[id]);
      r = pool_.Command(args, idempotent);
    }
    if (!r.ok()) return r.status().WithContext("the region cache state");
    return r;
  }

  const RedisCopyStateOptions options_;
  Clock& clock_;
  RedisPool pool_;
  util::Mutex mu_;
  std::string shas_[kScriptCount] GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<CopyState>> OpenRedisCopyState(const std::string& url,
                                                      RedisCopyStateOptions options) {
  MV_ASSIGN_OR_RETURN(RedisUrl parsed, redis::ParseRedisUrl(url));
  auto state = std::make_unique<RedisCopyState>(std::move(parsed), options);
  MV_RETURN_IF_ERROR(state->LoadScripts());
  return std::unique_ptr<CopyState>(std::move(state));
}

}  // namespace mv::regioncache
