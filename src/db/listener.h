// Listener: waits for notifications that other processes send on a channel (PostgreSQL
// LISTEN/NOTIFY; `SELECT pg_notify('channel', '')` sends one, delivered when its transaction
// commits). A waiter wakes at once instead of at its next poll; polling stays as the backstop,
// since a notification sent while the listener was reconnecting is lost.
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

// A listener on `channel` (a plain identifier) of the PostgreSQL database at `url`, on its own
// connection. InvalidArgument for a URL that is not postgresql:// (SQLite has no notifications:
// its waiters poll).
Result<std::unique_ptr<Listener>> Listen(std::string_view url, std::string_view channel);

}  // namespace mv::db
