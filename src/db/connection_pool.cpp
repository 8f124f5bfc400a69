#include "db/connection_pool.h"

#include <utility>

namespace mv::db {

std::shared_ptr<ConnectionPool> ConnectionPool::Make(Opener open, Reusable reusable,
                                                     size_t max_idle) {
  std::shared_ptr<ConnectionPool> pool(
      new ConnectionPool(std::move(open), std::move(reusable), max_idle));
  pool->self_ = pool;
  return pool;
}

Result<ConnectionLease> ConnectionPool::Acquire() {
  std::unique_ptr<Connection> connection;
  {
    util::MutexLock lock(mu_);
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (connection == nullptr) {
    MV_ASSIGN_OR_RETURN(connection, open_());
  }
  std::weak_ptr<ConnectionPool> weak = self_;
  return ConnectionLease(std::move(connection), [weak](std::unique_ptr<Connection> c) {
    if (auto pool = weak.lock()) pool->GiveBack(std::move(c));
  });
}

void ConnectionPool::AddIdle(std::unique_ptr<Connection> connection) {
  GiveBack(std::move(connection));
}

void ConnectionPool::GiveBack(std::unique_ptr<Connection> connection) {
  if (connection == nullptr || !reusable_(*connection)) return;
  std::unique_ptr<Connection> excess;  // destroyed outside the lock
  util::MutexLock lock(mu_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(std::move(connection));
  } else {
    excess = std::move(connection);
  }
}

}  // namespace mv::db
