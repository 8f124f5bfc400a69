// CopyState in the catalog: one row per (region, key) in regioncache_copies.
#include <algorithm>

#include "db/migrations.h"
#include "regioncache/copy_state.h"
#include "util/time_format.h"

namespace mv::regioncache {
namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE regioncache_copies (
  region {{text}} NOT NULL,
  key {{text}} NOT NULL,
  ready INTEGER NOT NULL,
  owner TEXT NOT NULL,
  size BIGINT NOT NULL,
  etag TEXT NOT NULL,
  claimed_ms BIGINT NOT NULL,
  last_used_ms BIGINT NOT NULL,
  in_use_until_ms BIGINT NOT NULL,
  PRIMARY KEY (region, key)
){{without_rowid}};
CREATE INDEX regioncache_lru ON regioncache_copies(region, ready, last_used_ms);
)sql";

// The regions whose state was built (RegionCache::Rebuild); the catalog does not lose it, so
// a region is rebuilt once, on the first start that knows this table.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE regioncache_built (
  region {{text}} PRIMARY KEY,
  built_ms BIGINT NOT NULL
);
)sql";

constexpr db::Migration kMigrations[] = {
    {1, "region cache copies", kV1},
    {2, "region cache regions built", kV2},
};

constexpr const char* kColumns =
    "region, key, ready, owner, size, etag, claimed_ms, last_used_ms, in_use_until_ms";

CopyEntry EntryFromRow(const db::Row& r) {
  return CopyEntry{.region = r.Text(0),
                   .key = r.Text(1),
                   .ready = r.Int(2) != 0,
                   .owner = r.Text(3),
                   .size = static_cast<uint64_t>(r.Int(4)),
                   .etag = r.Text(5),
                   .claimed = FromUnixMs(r.Int(6)),
                   .last_used = FromUnixMs(r.Int(7)),
                   .in_use_until = FromUnixMs(r.Int(8))};
}

class CatalogCopyState final : public CopyState {
 public:
  CatalogCopyState(std::shared_ptr<db::Database> database, CatalogCopyStateOptions options)
      : database_(std::move(database)),
        options_(options),
        clock_(options.clock != nullptr ? *options.clock : SystemClock()) {}

  Result<Claim> ClaimCopy(const std::string& region, const std::string& key,
                          const std::string& owner) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const int64_t now = ToUnixMs(clock_.Now());
    for (int round = 0; round < 3; ++round) {
      const db::Value ins[] = {region, key, owner, now};
      MV_ASSIGN_OR_RETURN(int64_t inserted,
                          c->Execute("INSERT INTO regioncache_copies(" + std::string(kColumns) +
                                         ") VALUES ($1, $2, 0, $3, 0, '', $4, $4, 0) "
                                         "ON CONFLICT (region, key) DO NOTHING",
                                     ins));
      if (inserted == 1) {
        MV_ASSIGN_OR_RETURN(std::optional<CopyEntry> mine, GetWith(*c, region, key));
        if (mine) return Claim{ClaimOutcome::kClaimed, *mine};
        continue;
      }
      MV_ASSIGN_OR_RETURN(std::optional<CopyEntry> existing, GetWith(*c, region, key));
      if (!existing) continue;  // forgotten meanwhile: try again
      if (existing->ready) return Claim{ClaimOutcome::kReady, *existing};
      if (now - ToUnixMs(existing->claimed) < options_.stale_claim.count()) {
        return Claim{ClaimOutcome::kInProgress, *existing};
      }
      // The owner stopped renewing its claim: take it over, if nobody else did first.
      const db::Value take[] = {
          region, key, owner, now, existing->owner, ToUnixMs(existing->claimed)};
      MV_ASSIGN_OR_RETURN(int64_t taken,
                          c->Execute("UPDATE regioncache_copies SET owner = $3, claimed_ms = $4 "
                                     "WHERE region = $1 AND key = $2 AND ready = 0 AND "
                                     "owner = $5 AND claimed_ms = $6",
                                     take));
      if (taken == 1) {
        existing->owner = owner;
        existing->claimed = FromUnixMs(now);
        return Claim{ClaimOutcome::kClaimed, *existing};
      }
    }
    return Unavailable("the region cache's claim of " + region + "/" + key + " keeps changing");
  }

  Status RenewClaim(const std::string& region, const std::string& key,
                    const std::string& owner) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const db::Value p[] = {region, key, owner, ToUnixMs(clock_.Now())};
    MV_ASSIGN_OR_RETURN(int64_t n, c->Execute("UPDATE regioncache_copies SET claimed_ms = $4 "
                                              "WHERE region = $1 AND key = $2 AND owner = $3 "
                                              "AND ready = 0",
                                              p));
    return n == 1 ? Status::Ok()
                  : PreconditionFailed("the claim of " + region + "/" + key + " was taken over");
  }

  Status CompleteCopy(const std::string& region, const std::string& key, const std::string& owner,
                      uint64_t size, const std::string& etag,
                      std::chrono::milliseconds in_use) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const int64_t now = ToUnixMs(clock_.Now());
    const db::Value p[] = {
        region, key, owner, static_cast<int64_t>(size), etag, now, now + in_use.count()};
    MV_ASSIGN_OR_RETURN(int64_t n, c->Execute("UPDATE regioncache_copies SET ready = 1, size = $4, "
                                              "etag = $5, last_used_ms = $6, in_use_until_ms = $7 "
                                              "WHERE region = $1 AND key = $2 AND owner = $3 AND "
                                              "ready = 0",
                                              p));
    return n == 1 ? Status::Ok()
                  : PreconditionFailed("the claim of " + region + "/" + key +
                                       " was taken over before the copy was done");
  }

  Status AbandonCopy(const std::string& region, const std::string& key,
                     const std::string& owner) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const db::Value p[] = {region, key, owner};
    return c
        ->Execute(
            "DELETE FROM regioncache_copies WHERE region = $1 AND key = $2 AND "
            "owner = $3 AND ready = 0",
            p)
        .status();
  }

  Result<std::optional<CopyEntry>> Get(const std::string& region, const std::string& key) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    return GetWith(*c, region, key);
  }

  Status Touch(const std::string& region, const std::string& key,
               std::chrono::milliseconds in_use) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const int64_t now = ToUnixMs(clock_.Now());
    const db::Value p[] = {region, key, now, now + in_use.count()};
    return c
        ->Execute(
            "UPDATE regioncache_copies SET last_used_ms = $3, in_use_until_ms = "
            "CASE WHEN in_use_until_ms > $4 THEN in_use_until_ms ELSE $4 END "
            "WHERE region = $1 AND key = $2",
            p)
        .status();
  }

  Result<std::vector<CopyEntry>> ListReady(const std::string& region) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    std::vector<CopyEntry> out;
    const db::Value p[] = {region};
    MV_RETURN_IF_ERROR(c->Query("SELECT " + std::string(kColumns) +
                                    " FROM regioncache_copies WHERE region = $1 AND ready = 1 "
                                    "ORDER BY last_used_ms, key",
                                p, [&](const db::Row& r) {
                                  out.push_back(EntryFromRow(r));
                                  return Status::Ok();
                                }));
    return out;
  }

  Status Forget(const std::string& region, const std::string& key) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const db::Value p[] = {region, key};
    return c->Execute("DELETE FROM regioncache_copies WHERE region = $1 AND key = $2", p).status();
  }

  void AwaitChange(const std::string& /*region*/, const std::string& /*key*/,
                   std::chrono::milliseconds timeout) override {
    clock_.SleepFor(std::min<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(100)));
  }

  Result<bool> RestoreCopy(const CopyEntry& e) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const db::Value p[] = {e.region,
                           e.key,
                           static_cast<int64_t>(e.ready),
                           e.owner,
                           static_cast<int64_t>(e.size),
                           e.etag,
                           ToUnixMs(e.claimed),
                           ToUnixMs(e.last_used),
                           ToUnixMs(e.in_use_until)};
    MV_ASSIGN_OR_RETURN(int64_t n,
                        c->Execute("INSERT INTO regioncache_copies(" + std::string(kColumns) +
                                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                                       "ON CONFLICT (region, key) DO NOTHING",
                                   p));
    return n == 1;
  }

  Result<bool> IsBuilt(const std::string& region) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    bool built = false;
    const db::Value p[] = {region};
    MV_RETURN_IF_ERROR(c->Query("SELECT built_ms FROM regioncache_built WHERE region = $1", p,
                                [&](const db::Row&) {
                                  built = true;
                                  return Status::Ok();
                                }));
    return built;
  }

  Status MarkBuilt(const std::string& region) override {
    MV_ASSIGN_OR_RETURN(db::ConnectionLease c, database_->Acquire());
    const db::Value p[] = {region, ToUnixMs(clock_.Now())};
    return c
        ->Execute(
            "INSERT INTO regioncache_built(region, built_ms) VALUES ($1, $2) "
            "ON CONFLICT (region) DO UPDATE SET built_ms = $2",
            p)
        .status();
  }

 private:
  Result<std::optional<CopyEntry>> GetWith(db::Connection& c, const std::string& region,
                                           const std::string& key) {
    std::optional<CopyEntry> out;
    const db::Value p[] = {region, key};
    MV_RETURN_IF_ERROR(c.Query("SELECT " + std::string(kColumns) +
                                   " FROM regioncache_copies WHERE region = $1 AND key = $2",
                               p, [&](const db::Row& r) {
                                 out = EntryFromRow(r);
                                 return Status::Ok();
                               }));
    return out;
  }

  std::shared_ptr<db::Database> database_;
  const CatalogCopyStateOptions options_;
  Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<CopyState>> OpenCatalogCopyState(std::shared_ptr<db::Database> database,
                                                        CatalogCopyStateOptions options) {
  MV_RETURN_IF_ERROR(db::Migrate(*database, "regioncache", kMigrations));
  return std::unique_ptr<CopyState>(new CatalogCopyState(std::move(database), options));
}

}  // namespace mv::regioncache
