// Importing a local mirror tree as one run of an archive (`mirrorvault import ARCHIVE DIR`):
// walk, hash every file (SHA-256 + SHA-1 in one read, in parallel), upload the contents the store
// does not have, then commit under the archive's writer lock (importer/run_builder.h).
//
// A stat cache skips reading files whose size, mtime, ctime, inode and device are unchanged since
// the archive's last import (snapshot.debian.org's "quick" import); files modified in the last
// seconds before the import started are never cached, so a write landing within one timestamp
// tick is not missed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "archive/catalog.h"
#include "archive/run_record.h"
#include "importer/run_start.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "util/clock.h"
#include "util/progress.h"
#include "util/run_id.h"

namespace mv::importer {

struct LocalImportOptions {
  std::string archive;
  std::string dir;
  // The run's id; default: the import's start time (one second after the archive's latest run
  // if that is not later).
  std::optional<RunId> run_id;
  size_t concurrency = 0;  // files hashed/uploaded at once; 0: max(16, 2 x cores)
  std::chrono::milliseconds lock_wait{0};
  bool use_stat_cache = true;
  // Files whose mtime or ctime is this close to the import's start are not stat-cached.
  std::chrono::nanoseconds racy_window{std::chrono::seconds(2)};
  std::string writer;  // "mirrorvault 0.1.0"; host and pid are added
  Clock* clock = nullptr;
  Progress* progress = nullptr;  // totals and counts are reported here when given
  // Brought up to date after the commit, under the writer lock (none: not updated).
  pkgindex::PackageIndex* package_index = nullptr;
};

struct ImportSummary {
  archive::RunRecord record;
  IndexOutcome package_index;  // after the commit
  uint64_t files_read = 0;     // hashed from disk
  uint64_t bytes_read = 0;
  uint64_t files_stat_cached = 0;  // taken from the stat cache
  uint64_t symlinks = 0;
  uint64_t dirs = 0;
  uint64_t nodes_written = 0;
  std::chrono::steady_clock::duration elapsed{};
};

Result<ImportSummary> ImportLocalTree(std::shared_ptr<store::ObjectStore> store,
                                      archive::Catalog& catalog, const LocalImportOptions& options);

}  // namespace mv::importer
