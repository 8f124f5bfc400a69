// The archive part's migrations (db/migrations.h), component "archive".
#pragma once

#include <span>

#include "db/migrations.h"

namespace mv::archive {

std::span<const db::Migration> ArchiveMigrations();

}  // namespace mv::archive
