#include "server/router.h"

#include "util/encoding.h"
#include "util/strings.h"
#include "util/uri.h"

namespace mv::server {
namespace {

RouteError Bad(std::string reason) { return {400, std::move(reason)}; }
RouteError NoRoute(std::string_view path) {
  return {404, "no such page: " + std::string(path.substr(0, 200))};
}

// A SHA-1 (40) or SHA-256 (64) in hex, lower-cased; none otherwise.
std::optional<std::string> HashSegment(std::string_view s) {
  if (s.size() != 40 && s.size() != 64) return std::nullopt;
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

// The decoded segments of `path` (after its leading '/'); `trailing` says whether it ended in
// '/'. Refuses what could leave a run or hide a separator. A literal "." segment is dropped, as
// RFC 3986's dot-segment removal does: apt asks a flat repository (`deb URI ./`) for
// URI/./Release. ".." and an escaped "." are refused.
std::variant<std::vector<std::string>, RouteError> Segments(std::string_view path, bool* trailing) {
  std::vector<std::string> out;
  *trailing = path.size() > 1 && path.back() == '/';
  std::string_view rest = path.substr(1);
  if (*trailing) rest.remove_suffix(1);
  if (rest.empty()) return out;
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t slash = rest.find('/', pos);
    std::string_view raw =
        rest.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (raw == "." && slash != std::string_view::npos) {
      pos = slash + 1;
      continue;
    }
    Result<std::string> decoded = PercentDecode(raw);
    if (!decoded.ok()) return Bad("a malformed %-escape in the path");
    const std::string& seg = *decoded;
    if (seg.empty()) return Bad("an empty segment (\"//\") in the path");
    if (seg == "." || seg == "..") return Bad("\".\" and \"..\" are not allowed in paths");
    for (unsigned char c : seg) {
      if (c == '/' || c == '\\') return Bad("an encoded \"/\" or a \"\\\" in a path segment");
      if (c < 0x20 || c == 0x7f) return Bad("a control character in the path");
    }
    if (!IsValidUtf8(seg)) return Bad("a path that is not UTF-8");
    out.push_back(seg);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

std::optional<std::string> FirstParam(std::string_view query, std::string_view key) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view pair =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      Result<std::string> v =
          PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
      if (v.ok()) return *v;
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return std::nullopt;
}

// The segments from `from` on, joined with '/'.
std::string JoinFrom(const std::vector<std::string>& segs, size_t from) {
  if (from >= segs.size()) return std::string();
  return Join({segs.begin() + static_cast<std::ptrdiff_t>(from), segs.end()}, "/");
}

std::variant<Route, RouteError> MatchMr(const std::vector<std::string>& s, bool trailing,
                                        std::string_view query, std::string_view path) {
  MrRoute r;
  r.fileinfo = FirstParam(query, "fileinfo") == std::optional<std::string>("1");
  const size_t n = s.size();
  auto is = [&](size_t i, std::string_view v) { return i < n && s[i] == v; };
  if (is(1, "package")) {
    if (n == 2) return Route(MrRoute{.kind = MrRoute::Kind::kPackages});
    r.package = s[2];
    if (n == 3) return r.kind = MrRoute::Kind::kPackageVersions, Route(r);
    r.version = s[3];
    if (n == 5 && s[4] == "srcfiles") return r.kind = MrRoute::Kind::kSrcFiles, Route(r);
    if (n == 5 && s[4] == "binpackages") return r.kind = MrRoute::Kind::kBinPackages, Route(r);
    if (n == 5 && s[4] == "allfiles") return r.kind = MrRoute::Kind::kAllFiles, Route(r);
    if (n == 5 && s[4] == "runs") return r.kind = MrRoute::Kind::kRuns, Route(r);
    if (n == 7 && s[4] == "binfiles") {
      r.binary = s[5];
      r.binary_version = s[6];
      return r.kind = MrRoute::Kind::kBinFiles, Route(r);
    }
  } else if (is(1, "binary") && n >= 3) {
    r.binary = s[2];
    if (n == 3) return r.kind = MrRoute::Kind::kBinary, Route(r);
    if (n == 5 && s[4] == "binfiles") {
      r.binary_version = s[3];
      return r.kind = MrRoute::Kind::kBinaryFiles, Route(r);
    }
  } else if (is(1, "file") && n == 4 && s[3] == "info") {
    std::optional<std::string> hash = HashSegment(s[2]);
    if (!hash) return Bad("a hash is 40 (SHA-1) or 64 (SHA-256) hex digits");
    r.hash = *hash;
    return r.kind = MrRoute::Kind::kFileInfo, Route(r);
  } else if (is(1, "timestamp") && n == 2) {
    r.kind = MrRoute::Kind::kTimestamps;
    r.archive = FirstParam(query, "archive");
    r.after = FirstParam(query, "after");
    r.before = FirstParam(query, "before");
    return Route(r);
  }
  (void)trailing;
  return NoRoute(path);
}

}  // namespace

std::optional<std::string> QueryParam(std::string_view query, std::string_view key) {
  return FirstParam(query, key);
}

std::variant<Route, RouteError> MatchRoute(std::string_view target) {
  if (target.size() > kMaxTarget) return RouteError{414, "the request target is too long"};
  if (target.empty() || target.front() != '/') return Bad("the request target is not a path");
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  bool trailing = false;
  auto parsed = Segments(path, &trailing);
  if (auto* err = std::get_if<RouteError>(&parsed)) return *err;
  const auto& s = std::get<std::vector<std::string>>(parsed);
  if (s.empty()) return Route(HomeRoute{});
  if (s[0] == "healthz" && s.size() == 1) return Route(HealthRoute{});
  if (s[0] == "metrics" && s.size() == 1) return Route(MetricsRoute{});
  if (s[0] == "archive") {
    if (s.size() == 2) return Route(ArchiveRunsRoute{s[1], trailing});
    if (s.size() >= 3) {
      return Route(ArchiveRoute{
          .archive = s[1], .timestamp = s[2], .path = JoinFrom(s, 3), .trailing_slash = trailing});
    }
  }
  if (s[0] == "file" && s.size() == 2) {
    std::optional<std::string> hash = HashSegment(s[1]);
    if (!hash) return Bad("a hash is 40 (SHA-1) or 64 (SHA-256) hex digits");
    return Route(FileRoute{*hash});
  }
  if (s[0] == "package" && s.size() == 2) return Route(PackagePageRoute{s[1], trailing});
  if (s[0] == "package" && s.size() == 1) {
    return Route(PackageSearchRoute{FirstParam(query, "q").value_or("")});
  }
  if (s[0] == "mr") return MatchMr(s, trailing, query, path);
  if (s[0] == "jobs" && s.size() == 1) return Route(JobsPageRoute{});
  if (s[0] == "removal" && s.size() <= 2) return Route(RemovalRoute{s.size() == 2 ? s[1] : ""});
  if (s[0] == "redirect" && s.size() >= 4 && s[1] == "v1") {
    RedirectRoute r{.region = s[2]};
    if (s[3] == "url" && s.size() == 4) {
      std::optional<std::string> u = FirstParam(query, "u");
      if (!u || u->empty()) return Bad("a url route names its origin: ?u=<percent-encoded URL>");
      r.kind = RedirectRoute::Kind::kUrl;
      r.url = std::move(*u);
      return Route(std::move(r));
    }
    if (s[3] == "file" && s.size() == 5) {
      std::optional<std::string> hash = HashSegment(s[4]);
      if (!hash) return Bad("a hash is 40 (SHA-1) or 64 (SHA-256) hex digits");
      r.hash = *hash;
      return Route(std::move(r));
    }
    if (s[3] == "archive" && s.size() >= 7) {
      r.kind = RedirectRoute::Kind::kArchive;
      r.archive = ArchiveRoute{
          .archive = s[4], .timestamp = s[5], .path = JoinFrom(s, 6), .trailing_slash = trailing};
      return Route(std::move(r));
    }
  }
  if (s[0] == "admin" && s.size() >= 2) {
    return Route(AdminRoute{std::vector<std::string>(s.begin() + 1, s.end()), std::string(query)});
  }
  return NoRoute(path);
}

}  // namespace mv::server
