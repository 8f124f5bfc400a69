#include "cli/archive_access.h"

#include "archive/recovery.h"
#include "db/database.h"

namespace mv::cli {

Result<ArchiveAccess> OpenArchive(CliContext& context, const std::string& recover_archive,
                                  bool create_store) {
  ArchiveAccess access;
  store::StoreContext store_context = context.store_context();
  store_context.create = create_store;
  MV_ASSIGN_OR_RETURN(access.store, store::OpenStore(context.config().store, store_context));
  MV_ASSIGN_OR_RETURN(std::shared_ptr<db::Database> database,
                      db::OpenDatabase(context.config().catalog,
                                       // One connection per import thread stays open.
                                       {.max_idle_connections = 128}));
  MV_ASSIGN_OR_RETURN(access.catalog, archive::Catalog::Open(std::move(database)));
  if (!recover_archive.empty()) {
    Result<std::vector<archive::RunRecord>> recovered = archive::RecoverRuns(
        *access.store, *access.catalog, recover_archive == "*" ? "" : recover_archive);
    // An empty store has nothing to recover.
    if (!recovered.ok() && !recovered.status().IsNotFound()) return recovered.status();
  }
  return access;
}

}  // namespace mv::cli
