// The web pages: the archives (home), an archive's runs by year and month, a source package's
// versions with their files and presence, and the package search. Server-rendered HTML; every
// value goes through HtmlEscape.
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>

#include "archive/ids.h"
#include "server/html.h"
#include "server/serve_context.h"
#include "util/units.h"

namespace mv::server {
namespace {

namespace json = boost::json;

std::string ArchiveHref(std::string_view archive) { return "/archive/" + UrlPath(archive) + "/"; }
std::string RunHref(std::string_view archive, const RunId& run) {
  return ArchiveHref(archive) + run.ToString() + "/";
}

constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};

httpd::Response Page(std::string title, const std::vector<Crumb>& crumbs, const std::string& body,
                     std::string route, int status = 200) {
  httpd::Response r = httpd::HtmlResponse(status, HtmlPage(title, crumbs, body));
  r.Set("Cache-Control", "public, max-age=30");
  r.route = std::move(route);
  return r;
}

}  // namespace

httpd::Response ServeHome(ServeContext& ctx, const httpd::Request& request) {
  Result<std::vector<std::string>> archives = ctx.view.Archives();
  if (!archives.ok()) return ErrorResponse(archives.status(), request.WantsJson());
  if (request.WantsJson()) {
    json::array out;
    for (const std::string& a : *archives) {
      Result<std::shared_ptr<const RunList>> runs = ctx.view.Runs(a);
      if (!runs.ok()) continue;
      out.push_back(json::object{{"archive", a},
                                 {"runs", (*runs)->size()},
                                 {"latest", (*runs)->back().run_id.ToString()}});
    }
    httpd::Response r =
        httpd::JsonResponse(200, json::serialize(json::object{{"archives", std::move(out)}}));
    r.route = "home";
    return r;
  }
  std::string body;
  if (archives->empty()) {
    body += "<p>No archive has been imported yet.</p>";
  } else {
    body +=
        "<table><thead><tr><th>Archive</th><th class=\"num\">Runs</th><th>Newest run</th>"
        "<th class=\"num\">Files</th><th class=\"num\">Size</th></tr></thead><tbody>";
    for (const std::string& a : *archives) {
      Result<std::shared_ptr<const RunList>> runs = ctx.view.Runs(a);
      if (!runs.ok()) continue;
      const RunInfo& latest = (*runs)->back();
      body += "<tr><td><a class=\"archive\" href=\"" + HtmlEscape(ArchiveHref(a)) + "\">" +
              HtmlEscape(a) + "</a></td><td class=\"num\">" + std::to_string((*runs)->size()) +
              "</td><td><a class=\"run\" href=\"" + HtmlEscape(RunHref(a, latest.run_id)) + "\">" +
              latest.run_id.ToString() + "</a></td><td class=\"num\">" +
              std::to_string(latest.files) + "</td><td class=\"num\">" +
              FormatSizeHuman(latest.bytes) + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  body +=
      "<p class=\"muted\">Every state of these archives, by URL: "
      "<code>/archive/ARCHIVE/YYYYMMDDTHHMMSSZ/PATH</code>, and snapshot.debian.org's "
      "<a href=\"/mr/timestamp/\">/mr/</a> API.</p>";
  return Page("Archives", {}, body, "home");
}

httpd::Response ServeArchiveRuns(ServeContext& ctx, const httpd::Request& request,
                                 const ArchiveRunsRoute& route) {
  if (!route.trailing_slash) {
    httpd::Response r = httpd::RedirectResponse(301, ArchiveHref(route.archive));
    r.route = "archive_redirect";
    return r;
  }
  Result<std::shared_ptr<const RunList>> runs = ctx.view.Runs(route.archive);
  if (!runs.ok()) return ErrorResponse(runs.status(), request.WantsJson());
  if (request.WantsJson()) {
    json::array out;
    for (const RunInfo& run : **runs) {
      out.push_back(json::object{
          {"run_id", run.run_id.ToString()}, {"files", run.files}, {"bytes", run.bytes}});
    }
    httpd::Response r = httpd::JsonResponse(
        200, json::serialize(json::object{{"archive", route.archive}, {"runs", std::move(out)}}));
    r.route = "archive_runs";
    r.Set("Vary", "Accept");
    return r;
  }
  // Newest first, grouped by year and month.
  std::string body = "<p>" + std::to_string((*runs)->size()) + " runs. The newest: <a href=\"" +
                     HtmlEscape(RunHref(route.archive, (*runs)->back().run_id)) + "\">" +
                     (*runs)->back().run_id.ToString() + "</a>.</p>";
  std::string year, month;
  for (auto it = (*runs)->rbegin(); it != (*runs)->rend(); ++it) {
    const std::string id = it->run_id.ToString();
    if (id.substr(0, 4) != year) {
      if (!month.empty()) body += "</ul>";
      year = id.substr(0, 4);
      month.clear();
      body += "<h2>" + year + "</h2>";
    }
    if (id.substr(4, 2) != month) {
      if (!month.empty()) body += "</ul>";
      month = id.substr(4, 2);
      body += "<h3>" + std::string(kMonths[std::stoi(month) - 1]) + "</h3><ul class=\"runs\">";
    }
    body += "<li><a class=\"run\" href=\"" + HtmlEscape(RunHref(route.archive, it->run_id)) +
            "\" title=\"" + std::to_string(it->files) + " files, " + FormatSizeHuman(it->bytes) +
            "\">" + id + "</a></li>";
  }
  if (!month.empty()) body += "</ul>";
  httpd::Response r =
      Page(route.archive, {{"archives", "/"}, {route.archive, ""}}, body, "archive_runs");
  r.Set("Vary", "Accept");
  return r;
}

httpd::Response ServePackageSearch(ServeContext& ctx, const httpd::Request& request,
                                   const PackageSearchRoute& route) {
  std::string q = route.query;
  q.erase(0, q.find_first_not_of(" \t"));
  q.erase(q.find_last_not_of(" \t") + 1);
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string body;
  if (!q.empty()) {
    Result<std::vector<std::string>> names = ctx.packages.SourceNames(q, 200);
    if (!names.ok()) return ErrorResponse(names.status(), false);
    if (std::find(names->begin(), names->end(), q) != names->end()) {
      httpd::Response r = httpd::RedirectResponse(302, "/package/" + UrlPath(q) + "/");
      r.route = "package";
      return r;
    }
    if (names->empty()) {
      body += "<p>No source package starts with “" + HtmlEscape(q) + "”.</p>";
    } else {
      body += "<p>Source packages starting with “" + HtmlEscape(q) + "”:</p><ul>";
      for (const std::string& n : *names) {
        body += "<li><a href=\"/package/" + HtmlEscape(UrlPath(n)) + "/\">" + HtmlEscape(n) +
                "</a></li>";
      }
      body += "</ul>";
    }
  } else {
    body += "<p>Type a source package's name (or its first letters) in the search box.</p>";
  }
  (void)request;
  return Page("Package search", {{"archives", "/"}, {"packages", ""}}, body, "package");
}

httpd::Response ServePackagePage(ServeContext& ctx, const httpd::Request& request,
                                 const PackagePageRoute& route) {
  (void)request;
  const std::string& name = route.name;
  if (!route.trailing_slash) {
    httpd::Response r = httpd::RedirectResponse(301, "/package/" + UrlPath(name) + "/");
    r.route = "package";
    return r;
  }
  Result<std::vector<std::string>> versions = ctx.packages.SourceVersions(name);
  if (!versions.ok()) return ErrorResponse(versions.status(), false);
  std::vector<Crumb> crumbs = {{"archives", "/"}, {"packages", "/package/"}, {name, ""}};
  if (versions->empty()) {
    // Perhaps a binary package: point at the sources it was built from.
    Result<std::vector<pkgindex::BinaryVersion>> bins = ctx.packages.BinaryVersions(name);
    if (!bins.ok()) return ErrorResponse(bins.status(), false);
    if (bins->empty()) {
      return Page(name, crumbs,
                  "<p>No source or binary package is called “" + HtmlEscape(name) + "”.</p>",
                  "package", 404);
    }
    std::string body = "<p>“" + HtmlEscape(name) + "” is a binary package, built from:</p><ul>";
    for (const auto& b : *bins) {
      body += "<li>" + HtmlEscape(b.version) + " from <a href=\"/package/" +
              HtmlEscape(UrlPath(b.source)) + "/\">" + HtmlEscape(b.source) + "</a> " +
              HtmlEscape(b.source_version) + "</li>";
    }
    body += "</ul>";
    return Page(name + " (binary)", crumbs, body, "package");
  }

  std::string body = "<p>Versions, newest first: ";
  for (size_t i = 0; i < versions->size(); ++i) {
    body += (i ? ", " : "") + std::string("<a href=\"#v") + std::to_string(i) + "\">" +
            HtmlEscape((*versions)[i]) + "</a>";
  }
  body += "</p>";
  for (size_t i = 0; i < versions->size(); ++i) {
    const std::string& v = (*versions)[i];
    body +=
        "<h2 id=\"v" + std::to_string(i) + "\">" + HtmlEscape(name) + " " + HtmlEscape(v) + "</h2>";
    Result<std::vector<pkgindex::PresenceRow>> presence = ctx.packages.PresenceOfVersion(name, v);
    Result<std::vector<pkgindex::PackageFile>> src = ctx.packages.SourceFiles(name, v);
    Result<std::vector<pkgindex::BinaryRow>> bins = ctx.packages.BinariesOfSource(name, v);
    if (!presence.ok()) return ErrorResponse(presence.status(), false);
    if (!src.ok()) return ErrorResponse(src.status(), false);
    if (!bins.ok()) return ErrorResponse(bins.status(), false);
    if (!presence->empty()) {
      // Two columns, so that the page reads on a phone: where, and from which run to which.
      body +=
          "<table class=\"presence\"><thead><tr><th>Where</th><th>Present from run … to run"
          "</th></tr></thead><tbody>";
      for (const auto& p : *presence) {
        body += "<tr><td>" + HtmlEscape(p.archive) + " " + HtmlEscape(p.suite) + "/" +
                HtmlEscape(p.component) + "</td><td><a href=\"" +
                HtmlEscape(RunHref(p.archive, p.first_run)) + "\">" + p.first_run.ToString() +
                "</a> … <a href=\"" + HtmlEscape(RunHref(p.archive, p.last_run)) + "\">" +
                p.last_run.ToString() + "</a></td></tr>";
      }
      body += "</tbody></table>";
    }
    body += "<h3>Source files</h3><ul class=\"files\">";
    for (const auto& f : *src) {
      size_t slash = f.path.rfind('/');
      std::string base = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
      body += "<li><a class=\"file\" href=\"/file/" + archive::ToHex(f.sha256) + "\">" +
              HtmlEscape(base) + "</a> <span class=\"muted\">" + FormatSizeHuman(f.size) +
              "</span></li>";
    }
    body += "</ul>";
    if (!bins->empty()) {
      body += "<h3>Binary packages</h3><ul class=\"files\">";
      for (const auto& b : *bins) {
        Result<std::vector<pkgindex::PackageFile>> files =
            ctx.packages.BinaryFiles(b.name, b.version);
        if (!files.ok()) return ErrorResponse(files.status(), false);
        for (const auto& f : *files) {
          size_t slash = f.path.rfind('/');
          std::string base = slash == std::string::npos ? f.path : f.path.substr(slash + 1);
          body += "<li><a class=\"file\" href=\"/file/" + archive::ToHex(f.sha256) + "\">" +
                  HtmlEscape(base) + "</a> <span class=\"muted\">" + HtmlEscape(f.architecture) +
                  ", " + FormatSizeHuman(f.size) + "</span></li>";
        }
      }
      body += "</ul>";
    }
  }
  return Page(name, crumbs, body, "package");
}

}  // namespace mv::server
