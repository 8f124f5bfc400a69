// The executors of the work mirrorvault already does: mirror an upstream (importer/mirror.h),
// import a local tree (importer/local_import.h), publish a run to [[target]]s (publish/), prune
// old runs by the retention policy (retention/), and a no-op for measuring the queue itself.
#pragma once

#include <functional>
#include <memory>

#include "archive/catalog.h"
#include "http/http_client.h"
#include "jobs/executor.h"
#include "pkgindex/package_index.h"
#include "store/object_store.h"
#include "store/open_store.h"
#include "util/clock.h"
#include "util/config_value.h"

namespace mv::jobs {

// What the executors share: the archive store and catalog of the configuration.
struct ServiceContext {
  std::shared_ptr<store::ObjectStore> store;
  archive::Catalog* catalog = nullptr;
  pkgindex::PackageIndex* packages = nullptr;
  std::shared_ptr<http::HttpClient> http;
  const ConfigValue* config = nullptr;  // the document: [[archive]] and [[target]] sections
  store::StoreContext store_context;    // for opening publish targets
  int fetch_attempts = 8;               // HTTP attempts inside one mirror (FetchOptions)
  Clock* clock = nullptr;
  // Writes an audit-log entry (who, action, target, detail) for what a job did on its own (the
  // runs a prune deleted); none when null.
  std::function<Status(const std::string&, const std::string&, const std::string&,
                       const std::string&)>
      audit;
};

// The mirror and import executors enqueue a publish job after a run when the archive's
// configuration names `publish` targets, and a prune job when it has a retention policy
// (retention/retention_policy.h). The payload of a publish job: {"run": "RUNID"}.
std::unique_ptr<Executor> MakeMirrorExecutor(ServiceContext context);
std::unique_ptr<Executor> MakeImportExecutor(ServiceContext context);
std::unique_ptr<Executor> MakePublishExecutor(ServiceContext context);
// Applies the archive's retention policy (retention/prune.h).
std::unique_ptr<Executor> MakePruneExecutor(ServiceContext context);
// Sleeps the payload's "ms" (default 0), then succeeds: the queue's own cost in benchmarks.
std::unique_ptr<Executor> MakeNoopExecutor(Clock* clock);

}  // namespace mv::jobs
