// The commit protocol (docs/design.md section 6), steps 2-4: a run appears whole or not at all.
//
//   1. (the importer) every blob the run needs is in the store (written with defer_sync or not);
//   2. the run's tree nodes the catalog does not know are uploaded, leaves first;
//   3. the store is synced (ObjectStore::Sync), the writer lock is confirmed and the run record
//      is written with if_absent: the commit point. Before it, a crash (even a power loss) leaves
//      only unreferenced objects; after it, the run exists;
//   4. the catalog records the run in one transaction. A crash between 3 and 4 is repaired by
//      recovery (archive/recovery.h), which every writer and reader of the archive runs first.
#pragma once

#include <future>
#include <optional>
#include <vector>

#include "archive/catalog.h"
#include "archive/run_record.h"
#include "archive/tree_builder.h"
#include "archive/writer_lock.h"
#include "store/object_store.h"
#include "util/clock.h"

namespace mv::archive {

// Writes the store's `format` object when missing (create) and checks it otherwise:
// InvalidArgument when the store holds another format, naming both.
Status CheckStoreFormat(store::ObjectStore& store, bool create);

struct CommitInput {
  // archive, run_id, parent, files/bytes, new_files/new_bytes, source, writer and started are
  // the caller's; root comes from `tree`, committed is set here.
  RunRecord record;
  BuiltTree tree;
  std::vector<FileIdentity> files;  // identities to record (new, or first seen earlier now)
  std::optional<StatCacheDelta> stat_cache;
  // A store.Sync() the caller started as soon as its blobs were written, so that the disk
  // flushes them while the tree is built and its nodes are written. Optional; when given, it is
  // waited for, and its error honoured, before the record is written.
  std::future<Status> blobs_sync;
};

struct CommitOptions {
  size_t concurrency = 16;  // node uploads in flight
  Clock* clock = nullptr;   // SystemClock() when null
};

// Steps 2-4. AlreadyExists when a run with this id exists for the archive. When step 4 fails
// after step 3 succeeded, the error says the run is committed and will be recovered.
Result<RunRecord> CommitRun(store::ObjectStore& store, Catalog& catalog, WriterLock& lock,
                            CommitInput input, const CommitOptions& options = {});

}  // namespace mv::archive
