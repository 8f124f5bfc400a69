// snapshot.debian.org's machine-readable API under /mr/, with its paths and JSON shapes. As
// there, "hash" is a file's SHA-1; mirrorvault adds "sha256" beside it, and takes either hash
// wherever one is asked for. One extension: /mr/package/P/V/runs, where and when a version was
// present.
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <set>

#include "archive/ids.h"
#include "server/serve_context.h"

namespace mv::server {
namespace {

namespace json = boost::json;
using pkgindex::PackageFile;

constexpr std::string_view kComment = "mirrorvault: snapshot.debian.org's /mr/ API";

httpd::Response Json(json::object doc) {
  httpd::Response r = httpd::JsonResponse(200, json::serialize(doc));
  r.Set("Cache-Control", "public, max-age=300");
  r.route = "mr";
  return r;
}

httpd::Response Missing(std::string what) {
  httpd::Response r = ErrorResponse(NotFound(std::move(what)), true);
  r.route = "mr";
  return r;
}

httpd::Response Failed(const Status& status) {
  httpd::Response r = ErrorResponse(status, true);
  r.route = "mr";
  return r;
}

std::pair<std::string, std::string> SplitPath(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"/", path};
  return {"/" + path.substr(0, slash), path.substr(slash + 1)};
}

// The hashes of package files, and what ?fileinfo=1 says about them.
class FileInfo {
 public:
  explicit FileInfo(ServeContext& ctx) : ctx_(ctx) {}

  // {"hash": sha1, "sha256": sha256} for a package file; its locations are gathered when
  // `with_info`.
  Result<json::object> Entry(const PackageFile& file, bool with_info) {
    MV_ASSIGN_OR_RETURN(std::string sha1, Sha1Of(file.sha256));
    if (with_info && !info_.contains(sha1)) {
      MV_ASSIGN_OR_RETURN(json::array places, Locations(file.sha256));
      info_[sha1] = std::move(places);
    }
    return json::object{{"hash", sha1}, {"sha256", archive::ToHex(file.sha256)}};
  }

  // Every place a content was seen, oldest first: the package index's (archive, path) pairs and
  // the catalog's first sighting (which also covers files no package index names).
  Result<json::array> Locations(const archive::Sha256& sha256) {
    MV_ASSIGN_OR_RETURN(std::vector<pkgindex::FileLocation> places,
                        ctx_.packages.FileLocations(sha256));
    MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> identity,
                        ctx_.catalog.FileBySha256(sha256));
    if (identity) {
      auto same = [&](const pkgindex::FileLocation& p) {
        return p.archive == identity->first_archive && p.path == identity->first_path;
      };
      auto it = std::find_if(places.begin(), places.end(), same);
      if (it == places.end()) {
        places.push_back(
            {identity->first_archive, identity->first_path, identity->size, identity->first_run});
      } else if (identity->first_run < it->first_run) {
        it->first_run = identity->first_run;
      }
      std::sort(places.begin(), places.end(), [](const auto& a, const auto& b) {
        return std::tie(a.first_run, a.archive, a.path) < std::tie(b.first_run, b.archive, b.path);
      });
    }
    json::array out;
    for (const pkgindex::FileLocation& p : places) {
      auto [dir, name] = SplitPath(p.path);
      out.push_back(json::object{{"archive_name", p.archive},
                                 {"name", name},
                                 {"path", dir},
                                 {"size", p.size},
                                 {"first_seen", p.first_run.ToString()}});
    }
    return out;
  }

  void AddTo(json::object& doc, bool with_info) {
    if (!with_info) return;
    json::object info;
    for (auto& [hash, places] : info_) info[hash] = std::move(places);
    doc["fileinfo"] = std::move(info);
  }

 private:
  Result<std::string> Sha1Of(const archive::Sha256& sha256) {
    MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> identity,
                        ctx_.catalog.FileBySha256(sha256));
    // A file an index names but no run holds (a partial mirror) has no SHA-1 recorded.
    if (!identity) return std::string();
    return archive::ToHex(identity->sha1);
  }

  ServeContext& ctx_;
  std::map<std::string, json::array> info_;
};

// The source version must exist: NotFound naming it otherwise.
Status RequireSource(ServeContext& ctx, const std::string& package, const std::string& version) {
  MV_ASSIGN_OR_RETURN(std::vector<std::string> versions, ctx.packages.SourceVersions(package));
  if (versions.empty()) return NotFound("no source package \"" + package + "\"");
  if (std::find(versions.begin(), versions.end(), version) == versions.end()) {
    return NotFound("source package \"" + package + "\" has no version \"" + version + "\"");
  }
  return Status::Ok();
}

Result<json::array> FilesArray(FileInfo& info, const std::vector<PackageFile>& files,
                               bool with_info, bool with_arch) {
  json::array out;
  for (const PackageFile& f : files) {
    MV_ASSIGN_OR_RETURN(json::object entry, info.Entry(f, with_info));
    if (with_arch) entry.emplace("architecture", f.architecture);
    out.push_back(std::move(entry));
  }
  return out;
}

Result<httpd::Response> Answer(ServeContext& ctx, const MrRoute& route) {
  using Kind = MrRoute::Kind;
  FileInfo info(ctx);
  const std::string& p = route.package;
  const std::string& v = route.version;
  switch (route.kind) {
    case Kind::kPackages: {
      MV_ASSIGN_OR_RETURN(std::vector<std::string> names, ctx.packages.SourceNames());
      json::array result;
      for (const std::string& name : names) result.push_back(json::object{{"package", name}});
      return Json({{"_comment", kComment}, {"result", std::move(result)}});
    }
    case Kind::kPackageVersions: {
      MV_ASSIGN_OR_RETURN(std::vector<std::string> versions, ctx.packages.SourceVersions(p));
      if (versions.empty()) return Missing("no source package \"" + p + "\"");
      json::array result;
      for (const std::string& version : versions)
        result.push_back(json::object{{"version", version}});
      return Json({{"_comment", kComment}, {"package", p}, {"result", std::move(result)}});
    }
    case Kind::kSrcFiles: {
      MV_RETURN_IF_ERROR(RequireSource(ctx, p, v));
      MV_ASSIGN_OR_RETURN(std::vector<PackageFile> files, ctx.packages.SourceFiles(p, v));
      MV_ASSIGN_OR_RETURN(json::array result, FilesArray(info, files, route.fileinfo, false));
      json::object doc{
          {"_comment", kComment}, {"package", p}, {"version", v}, {"result", std::move(result)}};
      info.AddTo(doc, route.fileinfo);
      return Json(std::move(doc));
    }
    case Kind::kBinPackages: {
      MV_RETURN_IF_ERROR(RequireSource(ctx, p, v));
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryRow> bins,
                          ctx.packages.BinariesOfSource(p, v));
      json::array result;
      for (const auto& b : bins)
        result.push_back(json::object{{"name", b.name}, {"version", b.version}});
      return Json(
          {{"_comment", kComment}, {"package", p}, {"version", v}, {"result", std::move(result)}});
    }
    case Kind::kBinFiles: {
      MV_RETURN_IF_ERROR(RequireSource(ctx, p, v));
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryRow> bins,
                          ctx.packages.BinariesOfSource(p, v));
      bool built = std::any_of(bins.begin(), bins.end(), [&](const pkgindex::BinaryRow& b) {
        return b.name == route.binary && b.version == route.binary_version;
      });
      if (!built) {
        return Missing("source package \"" + p + "\" " + v + " has no binary \"" + route.binary +
                       "\" " + route.binary_version);
      }
      MV_ASSIGN_OR_RETURN(std::vector<PackageFile> files,
                          ctx.packages.BinaryFiles(route.binary, route.binary_version));
      MV_ASSIGN_OR_RETURN(json::array result, FilesArray(info, files, route.fileinfo, true));
      json::object doc{{"_comment", kComment},
                       {"package", p},
                       {"version", v},
                       {"binary", route.binary},
                       {"binary_version", route.binary_version},
                       {"result", std::move(result)}};
      info.AddTo(doc, route.fileinfo);
      return Json(std::move(doc));
    }
    case Kind::kAllFiles: {
      MV_RETURN_IF_ERROR(RequireSource(ctx, p, v));
      MV_ASSIGN_OR_RETURN(std::vector<PackageFile> src, ctx.packages.SourceFiles(p, v));
      MV_ASSIGN_OR_RETURN(json::array source, FilesArray(info, src, route.fileinfo, false));
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryRow> bins,
                          ctx.packages.BinariesOfSource(p, v));
      json::array binaries;
      for (const auto& b : bins) {
        MV_ASSIGN_OR_RETURN(std::vector<PackageFile> files,
                            ctx.packages.BinaryFiles(b.name, b.version));
        MV_ASSIGN_OR_RETURN(json::array arr, FilesArray(info, files, route.fileinfo, true));
        binaries.push_back(
            json::object{{"name", b.name}, {"version", b.version}, {"files", std::move(arr)}});
      }
      json::object doc{{"_comment", kComment},
                       {"package", p},
                       {"version", v},
                       {"result", json::object{{"source", std::move(source)},
                                               {"binaries", std::move(binaries)}}}};
      info.AddTo(doc, route.fileinfo);
      return Json(std::move(doc));
    }
    case Kind::kBinary: {
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryVersion> versions,
                          ctx.packages.BinaryVersions(route.binary));
      if (versions.empty()) return Missing("no binary package \"" + route.binary + "\"");
      json::array result;
      for (const auto& b : versions) {
        result.push_back(json::object{{"name", b.name},
                                      {"binary_version", b.version},
                                      {"source", b.source},
                                      {"version", b.source_version}});
      }
      return Json(
          {{"_comment", kComment}, {"binary", route.binary}, {"result", std::move(result)}});
    }
    case Kind::kBinaryFiles: {
      MV_ASSIGN_OR_RETURN(std::vector<PackageFile> files,
                          ctx.packages.BinaryFiles(route.binary, route.binary_version));
      if (files.empty()) {
        return Missing("no binary package \"" + route.binary + "\" " + route.binary_version);
      }
      MV_ASSIGN_OR_RETURN(json::array result, FilesArray(info, files, route.fileinfo, true));
      json::object doc{{"_comment", kComment},
                       {"binary", route.binary},
                       {"binary_version", route.binary_version},
                       {"result", std::move(result)}};
      info.AddTo(doc, route.fileinfo);
      return Json(std::move(doc));
    }
    case Kind::kFileInfo: {
      std::vector<archive::Sha256> contents;
      if (route.hash.size() == 64) {
        MV_ASSIGN_OR_RETURN(archive::Sha256 sha, archive::ParseSha256(route.hash, "hash"));
        MV_ASSIGN_OR_RETURN(std::optional<archive::FileIdentity> id, ctx.catalog.FileBySha256(sha));
        if (id) contents.push_back(sha);
      } else {
        MV_ASSIGN_OR_RETURN(archive::Sha1 sha, archive::ParseSha1(route.hash, "hash"));
        MV_ASSIGN_OR_RETURN(std::vector<archive::FileIdentity> ids, ctx.catalog.FilesBySha1(sha));
        for (const auto& id : ids) contents.push_back(id.sha256);
      }
      std::optional<std::string> removal;
      if (ctx.removed != nullptr) {
        MV_ASSIGN_OR_RETURN(removal, ctx.removed->Find(route.hash));
      }
      if (contents.empty() && !removal) return Missing("no file with hash " + route.hash);
      json::array result;
      for (const archive::Sha256& sha : contents) {
        MV_ASSIGN_OR_RETURN(json::array places, info.Locations(sha));
        for (auto& place : places) result.push_back(std::move(place));
      }
      json::object answer{
          {"_comment", kComment}, {"hash", route.hash}, {"result", std::move(result)}};
      // Withdrawn (retention/removal.h): where it was stays true; its bytes are gone.
      if (removal) {
        answer["removed"] = json::object{{"removal", *removal}, {"url", "/removal/" + *removal}};
      }
      return Json(std::move(answer));
    }
    case Kind::kTimestamps: {
      std::optional<RunId> after, before;
      if (route.after) {
        MV_ASSIGN_OR_RETURN(after, ParseTimestampPrefix(*route.after));
      }
      if (route.before) {
        MV_ASSIGN_OR_RETURN(before, ParseTimestampPrefix(*route.before));
      }
      std::vector<std::string> archives;
      if (route.archive) {
        archives.push_back(*route.archive);
      } else {
        MV_ASSIGN_OR_RETURN(archives, ctx.view.Archives());
      }
      json::object result;
      for (const std::string& a : archives) {
        MV_ASSIGN_OR_RETURN(std::shared_ptr<const RunList> runs, ctx.view.Runs(a));
        json::array ids;
        for (const RunInfo& run : *runs) {
          if (after && !(run.run_id > *after)) continue;
          if (before && !(run.run_id < *before)) continue;
          ids.push_back(json::string(run.run_id.ToString()));
        }
        result[a] = std::move(ids);
      }
      return Json({{"_comment", kComment}, {"result", std::move(result)}});
    }
    case Kind::kRuns: {
      MV_RETURN_IF_ERROR(RequireSource(ctx, p, v));
      // The source's own stretches, then each binary's built from it.
      std::vector<pkgindex::PresenceRow> rows;
      MV_ASSIGN_OR_RETURN(rows, ctx.packages.PresenceOfVersion(p, v));
      MV_ASSIGN_OR_RETURN(std::vector<pkgindex::BinaryRow> bins,
                          ctx.packages.BinariesOfSource(p, v));
      for (const auto& b : bins) {
        MV_ASSIGN_OR_RETURN(std::vector<pkgindex::PresenceRow> more,
                            ctx.packages.PresenceOfVersion(b.name, b.version));
        for (auto& row : more) {
          if (row.architecture != "source") rows.push_back(std::move(row));
        }
      }
      json::array result;
      for (const pkgindex::PresenceRow& row : rows) {
        json::array runs;
        if (Result<std::shared_ptr<const RunList>> list = ctx.view.Runs(row.archive); list.ok()) {
          for (const RunInfo& run : **list) {
            if (run.run_id >= row.first_run && run.run_id <= row.last_run) {
              runs.push_back(json::string(run.run_id.ToString()));
            }
          }
        }
        result.push_back(json::object{{"archive", row.archive},
                                      {"suite", row.suite},
                                      {"component", row.component},
                                      {"architecture", row.architecture},
                                      {"name", row.name},
                                      {"first_seen", row.first_run.ToString()},
                                      {"last_seen", row.last_run.ToString()},
                                      {"runs", std::move(runs)}});
      }
      return Json(
          {{"_comment", kComment}, {"package", p}, {"version", v}, {"result", std::move(result)}});
    }
  }
  return Internal("unhandled /mr/ route");
}

}  // namespace

httpd::Response ServeMr(ServeContext& ctx, const httpd::Request& /*request*/,
                        const MrRoute& route) {
  Result<httpd::Response> r = Answer(ctx, route);
  if (!r.ok()) return Failed(r.status());
  return std::move(*r);
}

}  // namespace mv::server
