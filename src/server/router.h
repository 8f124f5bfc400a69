// The server's route table (docs/design.md section 9) as one pure function: a request target
// ("/archive/debian/20240229/dists/bookworm/InRelease?x=1") in, the route it names out, or the
// reason it names none. No I/O, so handlers and the fuzzer test it without sockets.
//
// Paths are percent-decoded one segment at a time. Anything that could step outside a run or
// smuggle a separator is refused, in every spelling: "." and ".." segments (also %2e%2e), an
// encoded "/" (%2f) or "\" in a segment, NUL and other control bytes, empty segments inside a
// file path ("a//b"), bytes that are not UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/status.h"

namespace mv::server {

// /archive/<archive>/<ts>/<path>; `path` empty for the run's root. `trailing_slash`: the target
// ended in "/" (directories are served only so; files never).
struct ArchiveRoute {
  std::string archive;
  std::string timestamp;  // as written: "now", "20240229", "20240229T153000Z"
  std::string path;       // decoded, segments joined with "/"
  bool trailing_slash = false;
};
// /archive/<archive>/: the archive's runs.
struct ArchiveRunsRoute {
  std::string archive;
  bool trailing_slash = false;
};
// /file/<hash>: a blob by SHA-1 (40 hex) or SHA-256 (64 hex), lower-cased.
struct FileRoute {
  std::string hash;
};
// /package/<name>/: the package's page.
struct PackagePageRoute {
  std::string name;
  bool trailing_slash = false;
};
// /package/?q=TEXT: the package search.
struct PackageSearchRoute {
  std::string query;
};
// /mr/...: snapshot.debian.org's machine-readable API.
struct MrRoute {
  enum class Kind {
    kPackages,         // /mr/package/
    kPackageVersions,  // /mr/package/P/
    kSrcFiles,         // /mr/package/P/V/srcfiles
    kBinPackages,      // /mr/package/P/V/binpackages
    kBinFiles,         // /mr/package/P/V/binfiles/B/BV
    kAllFiles,         // /mr/package/P/V/allfiles
    kBinary,           // /mr/binary/B/
    kBinaryFiles,      // /mr/binary/B/BV/binfiles
    kFileInfo,         // /mr/file/H/info
    kTimestamps,       // /mr/timestamp/
    kRuns,             // /mr/package/P/V/runs (mirrorvault's extension: where and when present)
  };
  Kind kind = Kind::kPackages;
  std::string package, version, binary, binary_version, hash;
  bool fileinfo = false;                     // ?fileinfo=1
  std::optional<std::string> archive;        // /mr/timestamp/?archive=A
  std::optional<std::string> after, before;  // /mr/timestamp/?after=TS&before=TS
};
// /admin/...: the import service's admin API (server/admin_api.h); segments after "admin",
// decoded, and the raw query.
struct AdminRoute {
  std::vector<std::string> segments;
  std::string query;
};
// /redirect/v1/<region>/file/<hash> and /redirect/v1/<region>/archive/<a>/<ts>/<path>: a
// redirect to the copy of that content in the region ("auto": the client's region).
struct RedirectRoute {
  enum class Kind { kFile, kArchive, kUrl };
  std::string region;
  Kind kind = Kind::kFile;  // /file/<hash>, /archive/..., /url?u=<origin URL>
  std::string hash;         // kFile: lower-cased, 40 or 64 hex digits
  ArchiveRoute archive;
  std::string url;  // kUrl: the origin URL, percent-decoded (not yet checked against the policy)
};
// /jobs/: the import service's page.
// /removal/ (id empty) and /removal/<id>.
struct RemovalRoute {
  std::string id;
};
struct JobsPageRoute {};
struct HomeRoute {};
struct HealthRoute {};
struct MetricsRoute {};

using Route = std::variant<HomeRoute, HealthRoute, MetricsRoute, ArchiveRoute, ArchiveRunsRoute,
                           FileRoute, PackagePageRoute, PackageSearchRoute, MrRoute, AdminRoute,
                           JobsPageRoute, RedirectRoute, RemovalRoute>;

struct RouteError {
  int status = 404;    // 400: malformed (a bad escape, traversal, a bad hash); 404: no such route
  std::string reason;  // one line, safe to show
};

inline constexpr size_t kMaxTarget = 8192;  // longer targets: 414 before routing

// The first value of `key` in a query string ("a=1&b=x%20y"), percent-decoded; nullopt when
// absent or badly escaped.
std::optional<std::string> QueryParam(std::string_view query, std::string_view key);

// The route `target` (origin-form: path and optional query) names.
std::variant<Route, RouteError> MatchRoute(std::string_view target);

}  // namespace mv::server
