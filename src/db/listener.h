// Listener: wakes a waiter when other processes change the database, instead of at its next
// poll. PostgreSQL: LISTEN on a channel (`SELECT pg_notify('channel', '')` sends a notification,
// delivered when its transaction commits). SQLite, which has no notifications: any commit by
// another connection, seen as a change of PRAGMA data_version, checked every 50 ms on a
// connection of the listener's own (a read of shared memory, no I/O). Polling stays the waiter's
// backstop: a notification sent while the listener reconnects is lost.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "util/status.h"

namespace mv::db {

class Listener {
 public:
  virtual ~Listener() = default;
  // True when a notification arrived within `timeout` (all pending ones are consumed); false on
  // timeout. A lost connection is Unavailable; the next Wait reconnects.
  virtual Result<bool> Wait(std::chrono::milliseconds timeout) = 0;
};

// A listener on `channel` (a plain identifier) of the database at `url`, on its own connection
// (SQLite: every commit of another connection counts, whatever the channel).
Result<std::unique_ptr<Listener>> Listen(std::string_view url, std::string_view channel);

}  // namespace mv::db
