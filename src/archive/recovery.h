// Rebuilding catalog rows from the store alone: start-up recovery (a run record in the store that
// the catalog lacks, after a crash between the commit point and the catalog update) and
// rebuild-catalog (the whole catalog from the store).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "archive/catalog.h"
#include "archive/removal.h"
#include "archive/tree_fetch.h"
#include "store/object_store.h"
#include "util/progress.h"

namespace mv::archive {

struct StoredRun {
  std::string key;
  RunRecord record;
  std::string json;
};

// The keys of every run record under runs/ (of `archive`, or of all archives when empty), in
// (archive, run id) order, from a listing only, without the runs that have a tombstone (deleted:
// a deletion cut short may have left the record). Corruption names a key that is not a run key.
// With `after` (a run key), only the keys after it.
Result<std::vector<RunKeyParts>> ListStoredRunKeys(store::ObjectStore& store,
                                                   std::string_view archive,
                                                   std::string_view after = {});
// The runs of `archive` (every archive when empty) that have a tombstone (archive/tombstone.h),
// in (archive, run id) order; with `after` (a tombstone key), only those after it.
Result<std::vector<RunKeyParts>> ListTombstoneKeys(store::ObjectStore& store,
                                                   std::string_view archive,
                                                   std::string_view after = {});
// Reads and checks one run record. Corruption names the key of a malformed record.
Result<StoredRun> ReadStoredRun(store::ObjectStore& store, const RunKeyParts& run);
// Every run record, read and parsed (ListStoredRunKeys, then ReadStoredRun for each).
Result<std::vector<StoredRun>> ListStoredRuns(store::ObjectStore& store, std::string_view archive);

// Every removal record under removals/ (archive/removal.h), read and checked, oldest first;
// those whose ids are in `known` are not read (one listing, then a GET per new record).
// Corruption names a key or record that is not of its format.
Result<std::vector<Removal>> ListStoredRemovals(store::ObjectStore& store,
                                                const std::set<std::string>& known = {});

// The catalog rows of a stored run: its record, its tree nodes and its file identities (the
// first path of each content in tree order). Directories whose ids are in `done` were recorded
// from an earlier run (in (run id, archive) order) and are not walked again; the ids walked here
// are added to `done`. Pass an empty set to walk everything.
Result<RunRows> RowsFromStore(store::ObjectStore& store, const StoredRun& run,
                              std::unordered_set<Sha256, IdHasher>& done, size_t concurrency);

// Adds to the catalog every run of `archive` (all archives when empty) whose record is in the
// store but not in the catalog. Returns the runs added.
Result<std::vector<RunRecord>> RecoverRuns(store::ObjectStore& store, Catalog& catalog,
                                           std::string_view archive, size_t concurrency = 32);
// RecoverRuns for the runs of `archive` after the catalog's latest run of it (every run when the
// catalog has none): a listing of the new run keys only, O(new runs) rather than O(runs). Enough
// when every earlier commit of the archive was recorded, as it is when each writer released the
// lock it committed under (WriterLock::previous_holder_died says when not).
Result<std::vector<RunRecord>> RecoverRunsAfterLatest(store::ObjectStore& store, Catalog& catalog,
                                                      std::string_view archive,
                                                      size_t concurrency = 32);

struct RebuildSummary {
  size_t archives = 0;
  size_t runs = 0;
  uint64_t files = 0;  // distinct contents
  uint64_t nodes = 0;
  size_t removals = 0;
};

// Replaces every rebuildable table of the catalog (archive/catalog.h) with what the store holds,
// in one transaction: on failure the catalog is left as it was. Locks are kept; the stat cache
// is emptied (the next import of each archive reads every file once). The write transaction is
// held while the store is read, run by run (memory: one run's rows and the ids seen), so other
// writers of the catalog wait for it (on SQLite, up to their busy timeout). Every archive's writer
// lock is taken first and held throughout: Unavailable naming the holder when one is busy.
Result<RebuildSummary> RebuildCatalog(store::ObjectStore& store, Catalog& catalog,
                                      Progress* progress, size_t concurrency = 32);

}  // namespace mv::archive
