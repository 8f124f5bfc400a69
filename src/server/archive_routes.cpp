// /archive/<archive>/<ts>/<path> and /file/<hash>: files of runs and blobs by hash, with the
// canonical-URL redirects for directories.
#include <string>

#include "apt/content_type.h"
#include "archive/ids.h"
#include "server/file_response.h"
#include "server/html.h"
#include "server/serve_context.h"
#include "util/strings.h"

namespace mv::server {
namespace {

// The Cache-Control of a URL that names a run by a moment rather than by its id: the answer
// changes when a newer run is committed.
constexpr std::string_view kMoving = "public, max-age=60";

std::string RunBase(const RunInfo& run) {
  return "/archive/" + UrlPath(run.archive) + "/" + run.run_id.ToString() + "/";
}

// The answer for a file: its bytes (ranges and validators as RFC 9110 says), or a redirect to a
// presigned URL of its blob.
httpd::Response FileAnswer(ServeContext& ctx, const httpd::Request& request, StoredFile file) {
  if (ctx.options.blob_redirect) {
    Result<std::string> url = ctx.store.PresignGet(file.blob_key, ctx.options.presign_ttl);
    if (!url.ok()) return ErrorResponse(url.status(), request.WantsJson());
    httpd::Response r = httpd::RedirectResponse(302, *url);
    r.Set("Cache-Control",
          "private, max-age=" + std::to_string(ctx.options.presign_ttl.count() / 2));
    r.Set("ETag", "\"" + file.sha256_hex + "\"");
    return r;
  }
  return ServeStoredFile(request, file);
}

}  // namespace

httpd::Response ServeArchivePath(ServeContext& ctx, const httpd::Request& request,
                                 const ArchiveRoute& route) {
  const bool json = request.WantsJson();
  Result<RunInfo> run = ctx.view.Resolve(route.archive, route.timestamp);
  if (!run.ok()) return ErrorResponse(run.status(), json);
  const bool canonical = route.timestamp == run->run_id.ToString();
  Result<archive::TreeEntry> entry = ctx.view.Lookup(*run, route.path);
  if (!entry.ok()) {
    httpd::Response r =
        ErrorResponse(entry.status().code() == StatusCode::kNotFound
                          ? NotFound("no file or directory \"" + route.path + "\" in " +
                                     run->archive + "@" + run->run_id.ToString())
                          : entry.status(),
                      json);
    if (r.status == 404 && canonical) r.Set("Cache-Control", std::string(kImmutable));
    return r;
  }
  if (entry->type == archive::EntryType::kDirectory) {
    if (!canonical || !route.trailing_slash) {
      httpd::Response r = httpd::RedirectResponse(
          301, RunBase(*run) + UrlPath(route.path) + (route.path.empty() ? "" : "/"));
      r.Set("Cache-Control", canonical ? std::string(kImmutable) : std::string(kMoving));
      r.route = "archive_redirect";
      return r;
    }
    Result<std::shared_ptr<const std::vector<archive::TreeEntry>>> entries =
        ctx.view.List(entry->hash);
    if (!entries.ok()) return ErrorResponse(entries.status(), json);
    httpd::Response r = ListingResponse(ctx, request, *run, route.path, **entries);
    r.route = "archive_listing";
    return r;
  }
  if (route.trailing_slash) {
    return ErrorResponse(NotFound("\"" + route.path + "\" is a file, not a directory"), json);
  }
  if (auto refused = RefuseIfWithdrawn(ctx, archive::ToHex(entry->hash), json)) return *refused;
  httpd::Response r = FileAnswer(
      ctx, request,
      StoredFile{.blob_key = archive::BlobKey(entry->hash),
                 .sha256_hex = archive::ToHex(entry->hash),
                 .size = entry->size,
                 .last_modified = run->run_id.ToTimePoint(),
                 .content_type = apt::ContentTypeFor(BaseName(route.path)),
                 .cache_control = canonical ? std::string(kImmutable) : std::string(kMoving)});
  r.route = "archive_file";
  return r;
}

static Result<archive::FileIdentity> FindFileByHashInCatalog(ServeContext& ctx,
                                                             const std::string& hash);

Result<archive::FileIdentity> FindFileByHash(ServeContext& ctx, const std::string& hash) {
  if (ctx.file_identities != nullptr) {
    if (std::shared_ptr<const archive::FileIdentity> known = ctx.file_identities->Get(hash)) {
      return *known;
    }
  }
  MV_ASSIGN_OR_RETURN(archive::FileIdentity found, FindFileByHashInCatalog(ctx, hash));
  if (ctx.file_identities != nullptr) {
    ctx.file_identities->Put(hash, std::make_shared<const archive::FileIdentity>(found));
  }
  return found;
}

static Result<archive::FileIdentity> FindFileByHashInCatalog(ServeContext& ctx,
                                                             const std::string& hash) {
  if (hash.size() == 64) {
    MV_ASSIGN_OR_RETURN(archive::Sha256 sha, archive::ParseSha256(hash, "hash"));
    MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> found, ctx.catalog.FileBySha256(sha));
    if (found) return *found;
  } else {
    MV_ASSIGN_OR_RETURN(archive::Sha1 sha, archive::ParseSha1(hash, "hash"));
    MV_ASSIGN_OR_RETURN(std::vector<archive::FileIdentity> found, ctx.catalog.FilesBySha1(sha));
    if (!found.empty()) return found.front();
  }
  return NotFound("no file with hash " + hash);
}

httpd::Response ServeFileByHash(ServeContext& ctx, const httpd::Request& request,
                                const FileRoute& route) {
  if (auto refused = RefuseIfWithdrawn(ctx, route.hash, request.WantsJson())) return *refused;
  Result<archive::FileIdentity> identity = FindFileByHash(ctx, route.hash);
  if (!identity.ok()) return ErrorResponse(identity.status(), false);
  httpd::Response r =
      FileAnswer(ctx, request,
                 StoredFile{.blob_key = archive::BlobKey(identity->sha256),
                            .sha256_hex = archive::ToHex(identity->sha256),
                            .size = identity->size,
                            .last_modified = identity->first_run.ToTimePoint(),
                            .content_type = apt::ContentTypeFor(BaseName(identity->first_path)),
                            .cache_control = std::string(kImmutable)});
  r.route = "file";
  return r;
}

}  // namespace mv::server
