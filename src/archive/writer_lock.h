// The archive's writer lock (docs/design.md section 6): a row in archive_locks with an owner and a
// lease that the holder renews from a background thread, in short transactions only, so that
// imports of different archives run in parallel (on SQLite too) and a crashed holder's lock
// expires by itself. Two writers of one archive never interleave: the second waits (up to
// `wait`) or fails at once with a message naming the holder.
//
// Leases compare the clocks of the machines that share a catalog: keep them in sync (NTP); the
// lease (default 60 s) is far longer than any plausible skew. The owner recorded ends with
// " local=<boot id>:<pid namespace>:<pid> lock=<random>", which lets a process on the same machine
// see that a holder has died.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <string>
#include <thread>

#include "db/database.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/status.h"

namespace mv::archive {

// The store's gc fence: a lock of this name (not an archive name) is held by a garbage
// collection while it deletes (retention/gc.h). While it is held no writer lock of any archive can
// be taken: Acquire waits as for a busy archive, then answers busy naming the gc.
inline constexpr std::string_view kGcFence = ".gc";

struct WriterLockOptions {
  std::string owner;  // who holds it, for messages: "host=H pid=P started=T" (made unique here)
  std::chrono::milliseconds lease{60'000};
  std::chrono::milliseconds renew_every{0};  // 0: lease / 3
  std::chrono::milliseconds wait{0};         // how long to wait for a held lock; 0: fail at once
  // Take over at once a lock whose holder ran on this machine (same kernel boot and PID
  // namespace) and whose process is gone, instead of waiting for its lease to expire: after a
  // crash or kill -9 the next import goes ahead immediately.
  bool take_over_dead_local_holder = true;
  Clock* clock = nullptr;  // SystemClock() when null
};

class WriterLock {
 public:
  // Takes the lock of `archive`. Unavailable (retryable) when another live owner holds it and
  // `wait` ran out: "archive 'A' is being written by OWNER (since T, lease until T2)".
  // IsWriterLockBusy tells that answer apart from other Unavailable ones.
  static Result<std::unique_ptr<WriterLock>> Acquire(std::shared_ptr<db::Database> database,
                                                     std::string archive,
                                                     const WriterLockOptions& options);
  // Stops renewing and releases the row (if still ours).
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Renews the lease now and confirms the lock is still ours: call right before a commit point.
  // PreconditionFailed when the lease was lost (expired and taken by another owner).
  Status Confirm();
  // Releases early (idempotent).
  Status Release();
  // Stops renewing and leaves the row to expire, as a crashed holder would: for a writer that
  // passed a commit point but could not finish what follows it (a run record written that the
  // catalog could not record), so that the next holder knows to look (previous_holder_died).
  void Abandon();

  // Whether this lock was taken from a holder that did not release it: its lease had run out, or
  // its process on this machine was gone. That holder may have committed a run to the store that
  // the catalog does not have (importer/run_start.h then recovers every run, not only new ones).
  bool previous_holder_died() const { return previous_holder_died_; }

  const std::string& owner() const { return owner_; }
  const std::string& archive() const { return archive_; }

 private:
  WriterLock(std::shared_ptr<db::Database> database, std::string archive, std::string owner,
             WriterLockOptions options);
  Status Renew();
  void RenewLoop();

  std::shared_ptr<db::Database> database_;
  const std::string archive_;
  const std::string owner_;
  const WriterLockOptions options_;
  Clock& clock_;
  util::Mutex mu_;
  std::condition_variable cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  Status lost_ GUARDED_BY(mu_);  // why the lease was lost, OK while held
  bool released_ GUARDED_BY(mu_) = false;
  bool previous_holder_died_ = false;
  std::thread renewer_;
};

// The writer locks held now (their leases not run out), as (archive, owner), without the fence.
Result<std::vector<std::pair<std::string, std::string>>> LiveWriterLocks(db::Database& database,
                                                                         Clock& clock);

// True for WriterLock::Acquire's answer when another writer held the lock until `wait` ran out
// (callers add their own hint: a CLI names its waiting option, a job service retries).
bool IsWriterLockBusy(const Status& status);

}  // namespace mv::archive
