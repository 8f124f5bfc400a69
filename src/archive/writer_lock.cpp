#include "archive/writer_lock.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "util/encoding.h"
#include "util/log.h"
#include "util/time_format.h"

namespace mv::archive {
namespace {

// The words of the "someone else holds the lock" answer, which IsWriterLockBusy recognises.
constexpr std::string_view kBusyPhrase = "is being written by";

std::string FormatMs(int64_t ms) {
  // Within years 1970-2261 (what system_clock holds); a stranger value is shown as it is.
  if (ms < 0 || ms > int64_t{9'000'000'000'000}) return std::to_string(ms) + " ms";
  return FormatRfc3339(FromUnixMs(ms));
}

std::string UniqueSuffix() {
  std::random_device rd;
  std::string raw(8, '\0');
  for (char& c : raw) c = static_cast<char>(rd() & 0xff);
  return HexEncode(raw);
}

// "<boot id>:<pid namespace inode>": one kernel instance's PID space. Empty when unknown.
std::string LocalPidSpace() {
  std::string boot;
  if (FILE* f = std::fopen("/proc/sys/kernel/random/boot_id", "re")) {
    char buf[64] = {};
    if (std::fgets(buf, sizeof buf, f) != nullptr) boot = buf;
    std::fclose(f);
  }
  while (!boot.empty() && (boot.back() == '\n' || boot.back() == ' ')) boot.pop_back();
  char ns[64] = {};
  ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  if (boot.empty() || n <= 0) return "";
  return boot + ":" + std::string(ns, static_cast<size_t>(n));
}

// True when `owner` names a process of this PID space that no longer exists.
bool HolderIsDeadHere(const std::string& owner, const std::string& space) {
  if (space.empty()) return false;
  const std::string tag = " local=" + space + ":";
  size_t at = owner.find(tag);
  if (at == std::string::npos) return false;
  size_t start = at + tag.size();
  size_t end = owner.find(' ', start);
  std::string pid_text = owner.substr(start, end == std::string::npos ? end : end - start);
  char* stop = nullptr;
  long pid = std::strtol(pid_text.c_str(), &stop, 10);
  if (pid_text.empty() || *stop != '\0' || pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Replaces a dead holder's row with ours (only if it is still that holder's).
Status TakeOver(db::Database& database, const std::string& archive, const std::string& dead,
                const std::string& owner, int64_t now_ms, int64_t lease_ms) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  const db::Value params[] = {archive, dead, owner, now_ms, now_ms + lease_ms};
  return conn
      ->Execute(
          "UPDATE archive_locks SET owner = $3, acquired_ms = $4, expires_ms = $5 "
          "WHERE archive = $1 AND owner = $2",
          params)
      .status();
}

struct Holder {
  std::string owner;
  int64_t acquired_ms = 0;
  int64_t expires_ms = 0;
  bool replaced_expired = false;  // our row replaced one whose lease had run out
  bool fence = false;             // the gc fence is up: `owner` is the gc's
};

// Lowers the fence (only if `holder` still holds it): its holder's release, or a dead holder's.
Status ClearFence(db::Database& database, const std::string& holder) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  const db::Value params[] = {std::string(kGcFence), holder};
  return conn
      ->Execute(
          "UPDATE archive_locks SET owner = '', acquired_ms = 0, expires_ms = 0 "
          "WHERE archive = $1 AND owner = $2",
          params)
      .status();
}

// Inserts our row, or takes over an expired one; then reads who holds the lock.
Result<Holder> TryTake(db::Database& database, const std::string& archive, const std::string& owner,
                       int64_t now_ms, int64_t lease_ms) {
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  Holder holder;
  Status taken =
      db::WithTransaction(*conn, db::TransactionMode::kWrite, [&](db::Connection& c) -> Status {
        if (archive != kGcFence) {
          // The fence row first, written (a no-op) so that on PostgreSQL this transaction and a gc
          // raising the fence are ordered by its row lock: either the gc sees our row once it has
          // the fence, or we see the fence.
          const db::Value fence[] = {std::string(kGcFence)};
          MV_RETURN_IF_ERROR(
              c.Execute("UPDATE archive_locks SET expires_ms = expires_ms WHERE archive = $1",
                        fence)
                  .status());
          MV_RETURN_IF_ERROR(
              c.Query("SELECT owner, acquired_ms, expires_ms FROM archive_locks WHERE archive = $1",
                      fence, [&](const db::Row& row) {
                        if (!row.Text(0).empty() && row.Int(2) >= now_ms) {
                          holder = {row.Text(0), row.Int(1), row.Int(2), false, true};
                        }
                        return Status::Ok();
                      }));
          if (holder.fence) return Status::Ok();
        }
        const db::Value key[] = {archive};
        bool expired = false;
        MV_RETURN_IF_ERROR(c.Query("SELECT expires_ms FROM archive_locks WHERE archive = $1", key,
                                   [&](const db::Row& row) {
                                     expired = row.Int(0) < now_ms;
                                     return Status::Ok();
                                   }));
        const db::Value params[] = {archive, owner, now_ms, now_ms + lease_ms};
        MV_RETURN_IF_ERROR(
            c.Execute("INSERT INTO archive_locks(archive, owner, acquired_ms, expires_ms) "
                      "VALUES ($1, $2, $3, $4) ON CONFLICT (archive) DO UPDATE SET "
                      "owner = excluded.owner, acquired_ms = excluded.acquired_ms, "
                      "expires_ms = excluded.expires_ms WHERE archive_locks.expires_ms < $3",
                      params)
                .status());
        MV_RETURN_IF_ERROR(
            c.Query("SELECT owner, acquired_ms, expires_ms FROM archive_locks WHERE "
                    "archive = $1",
                    key, [&](const db::Row& row) {
                      holder = {row.Text(0), row.Int(1), row.Int(2)};
                      return Status::Ok();
                    }));
        holder.replaced_expired = expired && holder.owner == owner;
        return Status::Ok();
      });
  MV_RETURN_IF_ERROR(taken);
  return holder;
}

}  // namespace

WriterLock::WriterLock(std::shared_ptr<db::Database> database, std::string archive,
                       std::string owner, WriterLockOptions options)
    : database_(std::move(database)),
      archive_(std::move(archive)),
      owner_(std::move(owner)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()) {}

Result<std::unique_ptr<WriterLock>> WriterLock::Acquire(std::shared_ptr<db::Database> database,
                                                        std::string archive,
                                                        const WriterLockOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : SystemClock();
  const std::string space = LocalPidSpace();
  std::string owner = (options.owner.empty() ? std::string("mirrorvault") : options.owner);
  if (!space.empty()) owner += " local=" + space + ":" + std::to_string(::getpid());
  owner += " lock=" + UniqueSuffix();
  const int64_t lease_ms = options.lease.count();
  const auto deadline = clock.SteadyNow() + options.wait;
  bool previous_died = false;
  while (true) {
    MV_ASSIGN_OR_RETURN(Holder holder,
                        TryTake(*database, archive, owner, ToUnixMs(clock.Now()), lease_ms));
    if (holder.owner == owner) {
      previous_died = previous_died || holder.replaced_expired;
      break;
    }
    if (holder.fence && options.take_over_dead_local_holder &&
        HolderIsDeadHere(holder.owner, space)) {
      MV_RETURN_IF_ERROR(ClearFence(*database, holder.owner));
      LogWarn("lowered the gc fence of a process that died holding it", {{"holder", holder.owner}});
      continue;
    }
    if (!holder.fence && options.take_over_dead_local_holder &&
        HolderIsDeadHere(holder.owner, space)) {
      MV_RETURN_IF_ERROR(
          TakeOver(*database, archive, holder.owner, owner, ToUnixMs(clock.Now()), lease_ms));
      previous_died = true;
      LogWarn("took over the writer lock of a process that died holding it",
              {{"archive", archive}, {"holder", holder.owner}});
      continue;  // read back who holds it now
    }
    if (clock.SteadyNow() >= deadline) {
      return Unavailable("archive '" + archive + "' " + std::string(kBusyPhrase) + " " +
                         holder.owner + " (since " + FormatMs(holder.acquired_ms) +
                         ", lease until " + FormatMs(holder.expires_ms) + ")");
    }
    clock.SleepFor(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(500),
                                                      deadline - clock.SteadyNow()));
  }
  std::unique_ptr<WriterLock> lock(
      new WriterLock(std::move(database), std::move(archive), std::move(owner), options));
  lock->previous_holder_died_ = previous_died;
  lock->renewer_ = std::thread([l = lock.get()] { l->RenewLoop(); });
  return lock;
}

WriterLock::~WriterLock() { Release().IgnoreError(); }

Status WriterLock::Renew() {
  const int64_t now_ms = ToUnixMs(clock_.Now());
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  const db::Value params[] = {archive_, owner_, now_ms + options_.lease.count()};
  MV_ASSIGN_OR_RETURN(
      int64_t changed,
      conn->Execute("UPDATE archive_locks SET expires_ms = $3 WHERE archive = $1 AND owner = $2",
                    params));
  if (changed == 0) {
    return PreconditionFailed("lost the writer lock of archive '" + archive_ +
                              "': its lease expired and another writer took it");
  }
  return Status::Ok();
}

void WriterLock::RenewLoop() {
  const auto every = options_.renew_every.count() > 0 ? options_.renew_every : options_.lease / 3;
  for (;;) {
    {
      util::MutexLock lock(mu_);
      const auto deadline = std::chrono::steady_clock::now() + every;
      while (!stop_ && cv_.wait_until(lock.native(), deadline) == std::cv_status::no_timeout) {
      }
      if (stop_) return;
    }
    Status st = Renew();
    // A transient failure is retried at the next tick; losing the row is final.
    if (st.code() == StatusCode::kPreconditionFailed) {
      util::MutexLock lock(mu_);
      lost_ = st;
      return;
    }
  }
}

Status WriterLock::Confirm() {
  {
    util::MutexLock lock(mu_);
    if (released_) return PreconditionFailed("writer lock of '" + archive_ + "' was released");
    if (!lost_.ok()) return lost_;
  }
  Status st = Renew();
  if (st.code() == StatusCode::kPreconditionFailed) {
    util::MutexLock lock(mu_);
    lost_ = st;
  }
  return st;
}

void WriterLock::Abandon() {
  {
    util::MutexLock lock(mu_);
    if (released_) return;
    released_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  LogWarn("left the writer lock to expire: the next writer checks every run of the archive",
          {{"archive", archive_}});
}

Status WriterLock::Release() {
  {
    util::MutexLock lock(mu_);
    if (released_) return Status::Ok();
    released_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  // The fence's row stays, lowered: writers lock it (TryTake).
  if (archive_ == kGcFence) return ClearFence(*database_, owner_);
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database_->Acquire());
  const db::Value params[] = {archive_, owner_};
  return conn->Execute("DELETE FROM archive_locks WHERE archive = $1 AND owner = $2", params)
      .status();
}

Result<std::vector<std::pair<std::string, std::string>>> LiveWriterLocks(db::Database& database,
                                                                         Clock& clock) {
  std::vector<std::pair<std::string, std::string>> out;
  MV_ASSIGN_OR_RETURN(db::ConnectionLease conn, database.Acquire());
  const db::Value params[] = {std::string(kGcFence), ToUnixMs(clock.Now())};
  MV_RETURN_IF_ERROR(conn->Query(
      "SELECT archive, owner FROM archive_locks WHERE archive <> $1 AND expires_ms >= $2 "
      "ORDER BY archive",
      params, [&](const db::Row& row) {
        out.emplace_back(row.Text(0), row.Text(1));
        return Status::Ok();
      }));
  return out;
}

bool IsWriterLockBusy(const Status& status) {
  return status.code() == StatusCode::kUnavailable &&
         status.message().find(kBusyPhrase) != std::string_view::npos;
}

}  // namespace mv::archive
