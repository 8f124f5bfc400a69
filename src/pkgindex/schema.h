// The package index's tables (migrations of the "pkgindex" component).
#pragma once

#include <span>

#include "db/migrations.h"

namespace mv::pkgindex {

std::span<const db::Migration> PackageIndexMigrations();

}  // namespace mv::pkgindex
