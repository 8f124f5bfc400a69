#include "pkgindex/run_packages.h"

#include <algorithm>
#include <iterator>
#include <map>

#include "apt/index_select.h"
#include "apt/release.h"
#include "apt/signature.h"
#include "util/decompress.h"

namespace mv::pkgindex {
namespace {

constexpr size_t kMaxDecompressedIndex = 4ull << 30;

Result<std::string> ReadBlob(store::ObjectStore& store, const archive::TreeEntry& file) {
  return store.GetBytes(archive::BlobKey(file.hash), {.size_hint = file.size});
}

// The suite's Release text, from InRelease (signature not checked here: the run's files are
// what was verified, or imported, when the run was made) or Release.
Result<std::optional<std::string>> ReleaseText(store::ObjectStore& store,
                                               archive::NodeSource& nodes,
                                               const archive::Sha256& suite_dir,
                                               const std::string& where) {
  MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> inrelease,
                      archive::LookupEntry(nodes, suite_dir, "InRelease"));
  if (inrelease && inrelease->type == archive::EntryType::kFile) {
    MV_ASSIGN_OR_RETURN(std::string bytes, ReadBlob(store, *inrelease));
    Result<std::string> text = apt::ClearsignedText(bytes, where + "/InRelease");
    if (text.ok()) return std::optional<std::string>(std::move(*text));
  }
  MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> release,
                      archive::LookupEntry(nodes, suite_dir, "Release"));
  if (release && release->type == archive::EntryType::kFile) {
    MV_ASSIGN_OR_RETURN(std::string bytes, ReadBlob(store, *release));
    return std::optional<std::string>(std::move(bytes));
  }
  return std::optional<std::string>();
}

// The Packages and Sources of one repository folder `dir` (a suite's dists/<suite>/, or a flat
// repository's top) into `out`; an index that cannot be trusted is skipped and said.
Status ReadSuite(store::ObjectStore& store, archive::NodeSource& nodes, const archive::Sha256& dir,
                 const std::string& suite_name, const std::string& where, bool flat,
                 RunPackages& out) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> text, ReleaseText(store, nodes, dir, where));
  if (!text) return Status::Ok();
  Result<apt::Release> release = apt::ParseRelease(*text, where + "/Release");
  if (!release.ok()) {
    out.skipped.push_back(release.status().message());
    return Status::Ok();
  }
  Result<std::vector<apt::SelectedIndex>> selected =
      apt::SelectIndexes(*release, {.sources = true, .flat = flat}, where);
  if (!selected.ok()) {
    out.skipped.push_back(selected.status().message());
    return Status::Ok();
  }
  // The variants of each Packages or Sources index that the run holds as listed.
  std::map<std::string, std::vector<const apt::SelectedIndex*>> by_base;
  std::map<const apt::SelectedIndex*, archive::TreeEntry> entries;
  for (const apt::SelectedIndex& s : *selected) {
    if (s.kind != apt::IndexKind::kPackages && s.kind != apt::IndexKind::kSources) continue;
    Result<archive::TreeEntry> entry = archive::LookupPath(nodes, dir, s.path);
    if (entry.status().IsNotFound()) continue;
    MV_RETURN_IF_ERROR(entry.status());
    if (entry->type != archive::EntryType::kFile) continue;
    if (archive::ToHex(entry->hash) != s.entry.sha256) {
      out.skipped.push_back((where == "." ? "" : where + "/") + s.path +
                            ": not the file its Release lists");
      continue;
    }
    by_base[s.base].push_back(&s);
    entries.emplace(&s, *entry);
  }
  for (const auto& [base, variants] : by_base) {
    const apt::SelectedIndex* best = apt::PreferredVariant(variants);
    if (best == nullptr) continue;
    const std::string path = (where == "." ? "" : where + "/") + best->path;
    MV_ASSIGN_OR_RETURN(std::string raw, ReadBlob(store, entries.at(best)));
    Result<std::string> plain =
        Decompress(raw, CompressionFromName(best->path), path, kMaxDecompressedIndex);
    if (!plain.ok()) {
      out.skipped.push_back(plain.status().message());
      continue;
    }
    // An index is taken whole or not at all.
    RunPackages one;
    Status parsed;
    if (best->kind == apt::IndexKind::kPackages) {
      parsed = apt::ForEachBinaryPackage(*plain, path, [&](const apt::BinaryPackage& p) {
        // A flat repository's one Packages holds every architecture.
        one.presence.push_back({suite_name, best->component,
                                flat ? p.architecture : best->architecture, p.package, p.version});
        one.binaries.push_back(p);
        return Status::Ok();
      });
    } else {
      parsed = apt::ForEachSourcePackage(*plain, path, [&](const apt::SourcePackage& p) {
        one.presence.push_back({suite_name, best->component, "source", p.package, p.version});
        one.sources.push_back(p);
        return Status::Ok();
      });
    }
    if (!parsed.ok()) {
      out.skipped.push_back(parsed.message());
      continue;
    }
    std::move(one.presence.begin(), one.presence.end(), std::back_inserter(out.presence));
    std::move(one.binaries.begin(), one.binaries.end(), std::back_inserter(out.binaries));
    std::move(one.sources.begin(), one.sources.end(), std::back_inserter(out.sources));
  }
  return Status::Ok();
}

}  // namespace

Result<RunPackages> ReadRunPackages(store::ObjectStore& store, archive::NodeSource& nodes,
                                    const archive::Sha256& root) {
  RunPackages out;
  MV_ASSIGN_OR_RETURN(std::optional<archive::TreeEntry> dists,
                      archive::LookupEntry(nodes, root, "dists"));
  if (dists && dists->type == archive::EntryType::kDirectory) {
    MV_ASSIGN_OR_RETURN(std::vector<archive::TreeEntry> suites,
                        archive::ListDirectory(nodes, dists->hash));
    for (const archive::TreeEntry& suite : suites) {
      if (suite.type != archive::EntryType::kDirectory) continue;  // "stable -> bookworm"
      MV_RETURN_IF_ERROR(
          ReadSuite(store, nodes, suite.hash, suite.name, "dists/" + suite.name, false, out));
    }
  } else {
    // A flat repository at the run's top (apt's `deb URI ./`): its suite is ".".
    MV_RETURN_IF_ERROR(ReadSuite(store, nodes, root, ".", ".", true, out));
  }
  std::sort(out.presence.begin(), out.presence.end());
  out.presence.erase(std::unique(out.presence.begin(), out.presence.end()), out.presence.end());
  return out;
}

}  // namespace mv::pkgindex
