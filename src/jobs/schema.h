// The jobs part's tables (db/migrations.h, component "jobs"): the queue, each attempt's error,
// per-archive state (paused, next scheduled tick, last success), per-host circuit breakers, the
// daily count of failed archives that `mirrorvault check` compares against, and the operators'
// audit log. Times are Unix milliseconds.
#pragma once

#include <span>

#include "db/migrations.h"

namespace mv::jobs {

std::span<const db::Migration> JobsMigrations();

}  // namespace mv::jobs
