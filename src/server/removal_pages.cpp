// /removal/ and /removal/<id>: the removals (archive/removal.h) as snapshot.debian.org shows its
// removal log: when, why, and which contents. Who made a removal is the audit log's (not public).
// JSON with Accept: application/json. And the 451 every file route answers for their contents.
#include <boost/json.hpp>

#include "server/html.h"
#include "server/serve_context.h"
#include "util/units.h"

namespace mv::server {
namespace {

namespace json = boost::json;

json::object RemovalJson(const archive::Removal& r, bool with_files) {
  json::object o{{"id", r.id},
                 {"removed", r.removed},
                 {"reason", r.reason},
                 {"files", static_cast<uint64_t>(r.files.size())}};
  if (with_files) {
    json::array files;
    for (const archive::RemovedFile& f : r.files) {
      files.push_back(json::object{{"sha256", archive::ToHex(f.sha256)},
                                   {"sha1", archive::ToHex(f.sha1)},
                                   {"size", f.size}});
    }
    o["files"] = std::move(files);
  }
  return o;
}

httpd::Response Finish(httpd::Response r) {
  r.Set("Cache-Control", "public, max-age=60");
  r.route = "removal";
  return r;
}

httpd::Response OneRemoval(ServeContext& ctx, const httpd::Request& request,
                           const std::string& id) {
  const bool json_wanted = request.WantsJson();
  if (Status valid = archive::ValidateRemovalId(id); !valid.ok()) {
    return ErrorResponse(NotFound(valid.message()), json_wanted);
  }
  Result<std::optional<archive::Removal>> found = ctx.catalog.GetRemoval(id);
  if (!found.ok()) return ErrorResponse(found.status(), json_wanted);
  if (!*found) return ErrorResponse(NotFound("no removal " + id), json_wanted);
  const archive::Removal& r = **found;
  if (json_wanted) {
    return Finish(httpd::JsonResponse(200, json::serialize(RemovalJson(r, true))));
  }
  std::string body = "<p>Removed " + HtmlEscape(r.removed) + ": " + HtmlEscape(r.reason) +
                     "</p>\n<p>These contents were withdrawn. Every path that held them still "
                     "lists them; their bytes are not served (451).</p>\n"
                     "<table><thead><tr><th>SHA-256</th><th>SHA-1</th><th>Size</th>"
                     "</tr></thead><tbody>\n";
  for (const archive::RemovedFile& f : r.files) {
    const std::string sha1 = archive::ToHex(f.sha1);
    body += "<tr><td><code>" + archive::ToHex(f.sha256) + "</code></td><td><a href=\"/mr/file/" +
            sha1 + "/info\"><code>" + sha1 + "</code></a></td><td>" +
            HtmlEscape(FormatSizeHuman(f.size)) + "</td></tr>\n";
  }
  body += "</tbody></table>\n";
  return Finish(httpd::HtmlResponse(
      200,
      HtmlPage("Removal " + r.id, {{"Home", "/"}, {"Removals", "/removal/"}, {r.id, ""}}, body)));
}

}  // namespace

std::optional<httpd::Response> RefuseIfWithdrawn(ServeContext& ctx, std::string_view hash_hex,
                                                 bool json) {
  if (ctx.removed == nullptr) return std::nullopt;
  Result<std::optional<std::string>> removal = ctx.removed->Find(hash_hex);
  if (!removal.ok()) return ErrorResponse(removal.status(), json);
  if (!*removal) return std::nullopt;
  return WithdrawnResponse(**removal, json);
}

httpd::Response ServeRemovals(ServeContext& ctx, const httpd::Request& request,
                              const RemovalRoute& route) {
  if (!route.id.empty()) return OneRemoval(ctx, request, route.id);
  const bool json_wanted = request.WantsJson();
  Result<std::vector<archive::Removal>> removals = ctx.catalog.ListRemovals();
  if (!removals.ok()) return ErrorResponse(removals.status(), json_wanted);
  if (json_wanted) {
    json::array result;
    for (const archive::Removal& r : *removals) result.push_back(RemovalJson(r, false));
    return Finish(httpd::JsonResponse(200, json::serialize(json::object{{"result", result}})));
  }
  std::string body;
  if (removals->empty()) {
    body = "<p>No file has been withdrawn.</p>\n";
  } else {
    body =
        "<table><thead><tr><th>Removal</th><th>Date</th><th>Files</th><th>Reason</th></tr>"
        "</thead><tbody>\n";
    for (auto it = removals->rbegin(); it != removals->rend(); ++it) {
      body += "<tr><td><a href=\"/removal/" + HtmlEscape(it->id) + "\">" + HtmlEscape(it->id) +
              "</a></td><td>" + HtmlEscape(it->removed) + "</td><td>" +
              std::to_string(it->files.size()) + "</td><td>" + HtmlEscape(it->reason) +
              "</td></tr>\n";
    }
    body += "</tbody></table>\n";
  }
  return Finish(
      httpd::HtmlResponse(200, HtmlPage("Removals", {{"Home", "/"}, {"Removals", ""}}, body)));
}

}  // namespace mv::server
