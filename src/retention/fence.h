// The store's fence (archive/writer_lock.h's kGcFence) raised for an operation that deletes
// objects a writer might reuse or write again: gc, and a removal's blob deletion. While it is up
// no writer lock of any archive can be taken; raising it waits until every writer that held one
// has let it go, so each writer at work either committed before or starts after (and then sees
// what the operation recorded in the catalog first).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "archive/catalog.h"
#include "archive/writer_lock.h"
#include "util/clock.h"
#include "util/status.h"

namespace mv::retention {

// Raises the fence as `who`, then waits until no writer holds a lock. Unavailable naming the
// other fence holder, or the writers still at work when `wait` ran out (the fence lowered then).
Result<std::unique_ptr<archive::WriterLock>> RaiseFence(archive::Catalog& catalog,
                                                        const std::string& who,
                                                        std::chrono::milliseconds wait,
                                                        Clock* clock);

}  // namespace mv::retention
