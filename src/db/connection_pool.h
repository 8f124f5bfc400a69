// The pool of idle connections behind a Database (private to src/db).
//
// Acquire hands out an idle connection or opens a new one; a lease gives it back when it is
// still reusable (the backend's predicate) and fewer than `max_idle` wait, and destroys it
// otherwise. Leases may outlive the pool: a connection given back after the pool is gone is
// destroyed. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "db/database.h"
#include "util/mutex.h"
#include "util/status.h"

namespace mv::db {

class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<Connection>>()>;
  using Reusable = std::function<bool(Connection&)>;

  // `open` and `reusable` are called from any thread; they must be safe for that.
  static std::shared_ptr<ConnectionPool> Make(Opener open, Reusable reusable, size_t max_idle);

  Result<ConnectionLease> Acquire();
  // Keeps an already opened connection for reuse (the one opened to check the URL).
  void AddIdle(std::unique_ptr<Connection> connection);

 private:
  ConnectionPool(Opener open, Reusable reusable, size_t max_idle)
      : open_(std::move(open)), reusable_(std::move(reusable)), max_idle_(max_idle) {}
  void GiveBack(std::unique_ptr<Connection> connection);

  const Opener open_;
  const Reusable reusable_;
  const size_t max_idle_;
  std::weak_ptr<ConnectionPool> self_;
  util::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
};

}  // namespace mv::db
