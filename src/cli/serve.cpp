// `mirrorvault serve`: the archive via HTTP (docs/design.md section 9). Wiring only: the archive is
// opened as the other subcommands open it, and server/ does the rest.
#include <cstdio>
#include <thread>

#include "archive/node_source.h"
#include "cli/archive_access.h"
#include "cli/jobs_access.h"
#include "db/database.h"
#include "httpd/access_log.h"
#include "httpd/http_server.h"
#include "regioncache/open_region_cache.h"
#include "server/admin_api.h"
#include "server/archive_view.h"
#include "server/blob_cache.h"
#include "server/handler.h"
#include "server/store_blob_reader.h"
#include "util/host.h"
#include "util/log.h"
#include "util/units.h"

namespace mv::cli {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  int threads = 0;
  size_t max_connections = 4096;
  std::string read_timeout = "30s";
  std::string keepalive_timeout = "60s";
  std::string access_log;
  bool blob_redirect = false;
  std::string presign_ttl = "5m";
  std::string run_list_ttl = "2s";
  size_t cache_nodes = 65536;
};

int RunServe(CliContext& context, const ServeArgs& args) {
  if (Status st = context.Init(); !st.ok()) return ReportError(st);
  httpd::HttpServerOptions http_options;
  http_options.listen = args.listen;
  http_options.threads = args.threads;
  http_options.max_connections = args.max_connections;
  server::ArchiveViewOptions view_options;
  server::ServeOptions serve_options;
  serve_options.blob_redirect = args.blob_redirect;
  for (auto [text, flag, out] :
       {std::tuple{&args.read_timeout, "--read-timeout", &http_options.read_timeout},
        std::tuple{&args.keepalive_timeout, "--keepalive-timeout", &http_options.keepalive_timeout},
        std::tuple{&args.run_list_ttl, "--run-list-ttl", &view_options.run_list_ttl}}) {
    Result<std::chrono::milliseconds> d = ParseDuration(*text);
    if (!d.ok()) return ReportError(d.status().WithContext(flag));
    *out = *d;
  }
  Result<std::chrono::milliseconds> ttl = ParseDuration(args.presign_ttl);
  if (!ttl.ok()) return ReportError(ttl.status().WithContext("--presign-ttl"));
  serve_options.presign_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  if (http_options.read_timeout.count() <= 0 || http_options.keepalive_timeout.count() <= 0 ||
      serve_options.presign_ttl.count() <= 0) {
    return ReportError(
        InvalidArgument("--read-timeout, --keepalive-timeout and --presign-ttl must be positive"));
  }

  // Runs the store holds but the catalog lacks are recorded first (start-up recovery).
  Result<ArchiveAccess> access = OpenArchive(context, "*", /*create_store=*/false);
  if (!access.ok()) return ReportError(access.status());
  if (args.blob_redirect) {
    Result<std::string> probe = access->store->PresignGet("blobs/probe", serve_options.presign_ttl);
    if (!probe.ok()) {
      return ReportError(InvalidArgument("--blob-redirect needs a store that presigns URLs (S3): " +
                                         probe.status().ToString()));
    }
  }
  std::unique_ptr<httpd::AccessLog> access_log;
  if (!args.access_log.empty()) {
    Result<std::unique_ptr<httpd::AccessLog>> opened = httpd::AccessLog::Open(args.access_log);
    if (!opened.ok()) return ReportError(opened.status());
    access_log = std::move(*opened);
  }

  server::ArchiveView view(
      access->catalog.get(),
      archive::MakeCachedNodeSource(access->store, access->catalog.get(), args.cache_nodes),
      SystemClock(), view_options);
  // The import service's admin API and metrics: the queue in the same catalog, and the token
  // from the variable [server] admin_token_env names (MIRRORVAULT_ADMIN_TOKEN by default).
  Result<std::unique_ptr<jobs::JobQueue>> queue = OpenJobQueue(access->catalog->shared_database());
  if (!queue.ok()) return ReportError(queue.status());
  std::string token_env = "MIRRORVAULT_ADMIN_TOKEN";
  server::BlobCacheOptions blob_cache;
  if (const ConfigValue* server_section = context.config().document.Find("server")) {
    if (Status st = server_section->CheckKeys({"admin_token_env", "trusted_proxies", "cache"});
        !st.ok()) {
      return ReportError(st);
    }
    if (const ConfigValue* v = server_section->Find("admin_token_env")) {
      Result<std::string> name = v->AsString();
      if (!name.ok()) return ReportError(name.status());
      token_env = *name;
    }
    // [server] cache = "512MiB": small files kept in memory (server/blob_cache.h); "0": none.
    if (const ConfigValue* v = server_section->Find("cache")) {
      Result<std::string> text = v->AsString();
      Result<uint64_t> size = text.ok() ? ParseSize(*text) : Result<uint64_t>(text.status());
      if (!size.ok()) return ReportError(size.status().WithContext("[server] cache"));
      blob_cache.budget = *size;
    }
  }
  server::AdminContext admin{
      .queue = queue->get(),
      .token = std::getenv(token_env.c_str()) != nullptr ? std::getenv(token_env.c_str()) : "",
      .config = &context.config().document};
  // The region cache, when the configuration has [[region]]s; its state in the same catalog
  // unless [regioncache] state names a Redis.
  Result<regioncache::OpenedRegionCache> regions = regioncache::OpenRegionCache(
      context.config().document, {.stores = context.store_context(),
                                  .catalog = access->catalog->shared_database(),
                                  .owner = ProcessIdentity()});
  if (!regions.ok()) return ReportError(regions.status());

  server::ServerMetrics metrics;
  server::ServeContext serve_context{view,           *access->catalog, *access->packages,
                                     *access->store, SystemClock(),    serve_options};
  serve_context.admin = &admin;
  serve_context.regions = {regions->cache.get(), regions->map.get()};
  server::Handler handler(serve_context, &metrics);
  std::unique_ptr<httpd::BlobReader> store_reads = server::MakeStoreBlobReader(
      *access->store, &metrics, SystemClock(), {.keep_buffers = http_options.read_budget});
  std::unique_ptr<httpd::BlobReader> blobs = server::MakeBlobCache(*store_reads, blob_cache);
  httpd::HttpServer http(
      http_options, [&handler](const httpd::Request& r) { return handler.Handle(r); }, blobs.get(),
      &metrics, access_log.get());
  if (Status st = http.Listen(); !st.ok()) return ReportError(st);
  std::string host = args.listen.substr(0, args.listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  std::printf("serving %s from %s on http://%s:%u/\n", access->catalog->Describe().c_str(),
              access->store->Describe().c_str(), host.c_str(), http.port());
  std::fflush(stdout);
  LogInfo("serving", {{"listen", args.listen},
                      {"port", static_cast<int>(http.port())},
                      {"admin_api", admin.token.empty() ? "off" : "on"},
                      {"regions", regions->cache ? regions->cache->config().regions.size() : 0}});
  if (Status st = http.Run(); !st.ok()) return ReportError(st);
  LogInfo("stopped");
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, CliContext& context, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve every run over HTTP: /archive/, snapshot.debian.org's /mr/ API, web pages");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Server threads (0: two per core, at least 4)");
  cmd->add_option("--max-connections", args->max_connections,
                  "Open connections beyond which new ones get 503")
      ->capture_default_str();
  cmd->add_option("--read-timeout", args->read_timeout,
                  "Longest time to read one request, from its first byte")
      ->capture_default_str();
  cmd->add_option("--keepalive-timeout", args->keepalive_timeout,
                  "Longest wait of a kept-alive connection for its next request")
      ->capture_default_str();
  cmd->add_option("--access-log", args->access_log,
                  "Write an access log (combined format) to FILE, or - for stdout");
  cmd->add_flag("--blob-redirect", args->blob_redirect,
                "Answer file requests with a 302 to a presigned URL of the blob (S3 stores)");
  cmd->add_option("--presign-ttl", args->presign_ttl, "Lifetime of presigned blob URLs")
      ->capture_default_str();
  cmd->add_option("--run-list-ttl", args->run_list_ttl,
                  "How long a cached run list is trusted (new runs appear within it)")
      ->capture_default_str();
  cmd->add_option("--cache-nodes", args->cache_nodes, "Decoded tree nodes kept in memory")
      ->capture_default_str();
  cmd->callback([args, &context, exit_code] { *exit_code = RunServe(context, *args); });
}

}  // namespace mv::cli
