// Directory listings of a run: an HTML page (name, size, link; the neighbouring runs at the same
// path) and the same entries as JSON for `Accept: application/json`.
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "apt/release.h"
#include "apt/signature.h"
#include "archive/ids.h"
#include "server/file_response.h"
#include "server/html.h"
#include "server/serve_context.h"
#include "util/units.h"

namespace mv::server {
namespace {

namespace json = boost::json;

std::string JsonListing(const RunInfo& run, const std::string& path,
                        const std::vector<archive::TreeEntry>& entries) {
  json::array items;
  items.reserve(entries.size());
  for (const archive::TreeEntry& e : entries) {
    json::object item{{"name", e.name}, {"type", archive::EntryTypeName(e.type)}};
    switch (e.type) {
      case archive::EntryType::kFile:
        item["size"] = e.size;
        item["sha256"] = archive::ToHex(e.hash);
        item["sha1"] = archive::ToHex(e.sha1);
        if (e.executable) item["executable"] = true;
        break;
      case archive::EntryType::kDirectory:
        item["size"] = e.size;
        item["files"] = e.file_count;
        break;
      case archive::EntryType::kSymlink:
        item["target"] = e.target;
        break;
    }
    items.push_back(std::move(item));
  }
  json::object doc{{"archive", run.archive},
                   {"run", run.run_id.ToString()},
                   {"path", "/" + path + (path.empty() ? "" : "/")},
                   {"entries", std::move(items)}};
  return json::serialize(doc);
}

// The run before and after `run` (none: a default RunInfo with an empty archive).
std::pair<RunInfo, RunInfo> Neighbours(ServeContext& ctx, const RunInfo& run) {
  std::pair<RunInfo, RunInfo> out;
  Result<std::shared_ptr<const RunList>> runs = ctx.view.Runs(run.archive);
  if (!runs.ok()) return out;
  const RunList& list = **runs;
  auto it = std::lower_bound(list.begin(), list.end(), run.run_id,
                             [](const RunInfo& r0, const RunId& id) { return r0.run_id < id; });
  if (it == list.end()) return out;
  if (it != list.begin()) out.first = *(it - 1);
  if (it + 1 != list.end()) out.second = *(it + 1);
  return out;
}

// For the top of a mirrored run: apt's sources lines for it, and the parts of the complete apt
// view it left out on purpose (the record's "without"). A run is a fixed moment: its Releases
// pass their Valid-Until sooner or later, and apt then refuses them unless told not to check.
std::string AptSourcesBlock(ServeContext& ctx, const RunInfo& run, const std::string& host) {
  Result<std::optional<archive::RunRow>> row = ctx.catalog.GetRun(run.archive, run.run_id);
  if (!row.ok() || !*row) return {};
  Result<archive::RunRecord> record = archive::ParseRunRecord((*row)->record, "run record");
  if (!record.ok() || record->source.kind != "upstream") return {};
  const auto& details = record->source.details;
  auto detail = [&](std::string_view key) {
    auto it = details.find(std::string(key));
    return it == details.end() ? std::string() : it->second;
  };
  // The components given to the mirror, else those the suite's Release names.
  auto components_of = [&](const std::string& suite) {
    std::string given = detail("components");
    std::replace(given.begin(), given.end(), ',', ' ');
    if (!given.empty()) return given;
    for (std::string_view name : {"Release", "InRelease"}) {
      Result<archive::TreeEntry> e =
          ctx.view.Lookup(run, "dists/" + suite + "/" + std::string(name));
      if (!e.ok() || e->type != archive::EntryType::kFile) continue;
      Result<std::string> bytes = ctx.store.GetBytes(archive::BlobKey(e->hash));
      if (!bytes.ok()) continue;
      Result<std::string> text =
          name == "Release" ? std::move(bytes) : apt::ClearsignedText(*bytes, name);
      if (!text.ok()) continue;
      Result<apt::Release> release = apt::ParseRelease(*text, name);
      if (release.ok() && !release->components.empty()) {
        std::string out;
        for (const std::string& c : release->components) out += (out.empty() ? "" : " ") + c;
        return out;
      }
    }
    return std::string("main");
  };
  const std::string base = "http://" + (host.empty() ? std::string("HOST") : host) + "/archive/" +
                           UrlPath(run.archive) + "/" + run.run_id.ToString() + "/";
  std::string body =
      "<h2>apt sources</h2><p class=\"muted\">This run as apt reads it; "
      "<code>check-valid-until=no</code> because a past run's Release passes its "
      "Valid-Until and apt then refuses it.</p><pre class=\"sources\">";
  const std::string suites = detail("suites");  // "bookworm,bookworm-updates" (mirror.cpp)
  for (size_t pos = 0; pos < suites.size();) {
    size_t comma = std::min(suites.find(',', pos), suites.size());
    const std::string suite = suites.substr(pos, comma - pos);
    pos = comma + 1;
    if (suite.empty()) continue;
    // A flat repository's folder ("./") takes no components.
    const std::string tail = suite.ends_with('/') ? suite : suite + " " + components_of(suite);
    body += HtmlEscape("deb [check-valid-until=no] " + base + " " + tail) + "\n";
    if (detail("sources") == "yes") {
      body += HtmlEscape("deb-src [check-valid-until=no] " + base + " " + tail) + "\n";
    }
  }
  body += "</pre><p class=\"without\">";
  const std::string without = detail(archive::kRunDetailWithout);
  body += without.empty()
              ? std::string("Complete apt view: every file the Releases list for the selection.")
              : "Left out on purpose: " + HtmlEscape(without) + ".";
  body += "</p>";
  return body;
}

std::string HtmlListing(const RunInfo& run, const std::string& path,
                        const std::vector<archive::TreeEntry>& entries,
                        const std::pair<RunInfo, RunInfo>& neighbours,
                        const std::string& top_block) {
  const std::string base = "/archive/" + UrlPath(run.archive) + "/" + run.run_id.ToString() + "/";
  const std::string here = base + UrlPath(path) + (path.empty() ? "" : "/");
  std::vector<Crumb> crumbs = {{"archives", "/"},
                               {run.archive, "/archive/" + UrlPath(run.archive) + "/"},
                               {run.run_id.ToString(), path.empty() ? "" : base}};
  size_t pos = 0;
  while (!path.empty() && pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string upto = path.substr(0, slash);
    std::string name =
        path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    crumbs.push_back({name, slash == std::string::npos ? "" : base + UrlPath(upto) + "/"});
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  std::string body;
  // The same path in the previous and the next run, when there are such runs.
  {
    body += "<p class=\"muted\">";
    auto link = [&](const RunInfo& other, std::string_view label) {
      body += "<a rel=\"" + std::string(label == "older run" ? "prev" : "next") +
              "\" href=\"/archive/" + HtmlEscape(UrlPath(run.archive)) + "/" +
              other.run_id.ToString() + "/" + HtmlEscape(UrlPath(path)) +
              (path.empty() ? "" : "/") + "\">" + std::string(label) + " (" +
              other.run_id.ToString() + ")</a> ";
    };
    if (!neighbours.first.archive.empty()) link(neighbours.first, "older run");
    if (!neighbours.second.archive.empty()) link(neighbours.second, "newer run");
    body += "</p>";
  }
  body += top_block;
  body += "<table><thead><tr><th>Name</th><th class=\"num\">Size</th></tr></thead><tbody>";
  if (!path.empty()) body += "<tr><td><a href=\"../\">../</a></td><td></td></tr>";
  for (const archive::TreeEntry& e : entries) {
    std::string href = HtmlEscape(here + UrlPath(e.name));
    std::string name = HtmlEscape(e.name);
    switch (e.type) {
      case archive::EntryType::kDirectory:
        body += "<tr><td><a href=\"" + href + "/\">" + name + "/</a></td><td class=\"num\">" +
                FormatSizeHuman(e.size) + "</td></tr>";
        break;
      case archive::EntryType::kFile:
        body += "<tr><td><a href=\"" + href + "\">" + name + "</a></td><td class=\"num\" title=\"" +
                std::to_string(e.size) + " bytes\">" + FormatSizeHuman(e.size) + "</td></tr>";
        break;
      case archive::EntryType::kSymlink:
        body += "<tr><td><a href=\"" + href + "\">" + name + "</a> <span class=\"muted\">→ " +
                HtmlEscape(e.target) + "</span></td><td></td></tr>";
        break;
    }
  }
  body += "</tbody></table>";
  return HtmlPage(
      run.archive + " @ " + run.run_id.ToString() + " /" + path + (path.empty() ? "" : "/"), crumbs,
      body);
}

}  // namespace

httpd::Response ListingResponse(ServeContext& ctx, const httpd::Request& request,
                                const RunInfo& run, const std::string& path,
                                const std::vector<archive::TreeEntry>& entries) {
  const bool json = request.WantsJson();
  std::pair<RunInfo, RunInfo> neighbours;
  if (!json) neighbours = Neighbours(ctx, run);
  // A listing is a function of the run, the path, the format and (HTML) the neighbouring runs.
  std::string key = run.archive + "\n" + run.run_id.ToString() + "\n" + path + "\n" +
                    (json ? "json" : "html") + "\n" + neighbours.first.run_id.ToString() + "\n" +
                    neighbours.second.run_id.ToString() + "\n" + request.host;
  std::shared_ptr<const std::string> body =
      ctx.rendered_listings ? ctx.rendered_listings->Get(key) : nullptr;
  if (!body) {
    auto rendered = std::make_shared<const std::string>(
        json ? JsonListing(run, path, entries)
             : HtmlListing(run, path, entries, neighbours,
                           path.empty() ? AptSourcesBlock(ctx, run, request.host) : ""));
    if (ctx.rendered_listings) ctx.rendered_listings->Put(key, rendered, rendered->size());
    body = rendered;
  }
  httpd::Response r = json ? httpd::JsonResponse(200, *body) : httpd::HtmlResponse(200, *body);
  r.Set("Cache-Control", "public, max-age=3600");
  r.Set("Vary", "Accept");
  return r;
}

}  // namespace mv::server
