#include "retention/fence.h"

#include <unistd.h>

#include "util/host.h"
#include "util/units.h"

namespace mv::retention {

Result<std::unique_ptr<archive::WriterLock>> RaiseFence(archive::Catalog& catalog,
                                                        const std::string& who,
                                                        std::chrono::milliseconds wait,
                                                        Clock* clock_or_null) {
  Clock& clock = clock_or_null != nullptr ? *clock_or_null : SystemClock();
  MV_ASSIGN_OR_RETURN(
      std::unique_ptr<archive::WriterLock> fence,
      archive::WriterLock::Acquire(
          catalog.shared_database(), std::string(archive::kGcFence),
          {.owner = who + " host=" + HostName() + " pid=" + std::to_string(::getpid()),
           .wait = wait,
           .clock = clock_or_null}));
  const auto deadline = clock.SteadyNow() + wait;
  while (true) {
    MV_ASSIGN_OR_RETURN(auto writers, archive::LiveWriterLocks(catalog.database(), clock));
    if (writers.empty()) return fence;
    if (clock.SteadyNow() >= deadline) {
      std::string names;
      for (const auto& [archive, owner] : writers) {
        names += (names.empty() ? "" : "; ") + archive + " by " + owner;
      }
      return Unavailable(who + ": writers still at work after " + FormatDuration(wait) +
                         " (nothing was deleted): " + names);
    }
    clock.SleepFor(std::chrono::milliseconds(200));
  }
}

}  // namespace mv::retention
