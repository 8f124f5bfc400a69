// The executors of the work mirrorvault already does: mirror an upstream (importer/mirror.h),
// import a local tree (importer/local_import.h), publish a run to [[target]]s (publish/), and a
// no-op for measuring the queue itself.
#pragma once

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
};

// The mirror and import executors enqueue a publish job after a run when the archive's
// configuration names `publish` targets. The payload of a publish job: {"run": "RUNID"}.
std::unique_ptr<Executor> MakeMirrorExecutor(ServiceContext context);
std::unique_ptr<Executor> MakeImportExecutor(ServiceContext context);
std::unique_ptr<Executor> MakePublishExecutor(ServiceContext context);
// Sleeps the payload's "ms" (default 0), then succeeds: the queue's own cost in benchmarks.
std::unique_ptr<Executor> MakeNoopExecutor(Clock* clock);

}  // namespace mv::jobs
