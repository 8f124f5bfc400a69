#include "importer/derived_view.h"

#include <set>
#include <string>

#include "apt/deb822.h"
#include "apt/package_universe.h"
#include "apt/release_writer.h"

namespace mv::importer {
namespace {

std::string Key(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string k(a);
  k += '\0';
  k += b;
  k += '\0';
  k += c;
  return k;
}

void AddUnique(std::vector<std::string>& list, const std::string& item) {
  for (const std::string& s : list) {
    if (s == item) return;
  }
  list.push_back(item);
}

}  // namespace

Result<SuiteView> BuildSuiteView(const apt::Release& upstream,
                                 const std::vector<ViewIndex>& indexes,
                                 const std::function<bool(std::string_view)>& selected,
                                 const ViewOptions& options, std::string_view where) {
  const std::string place(where);
  // The universe: every Packages index of the suite; the architectures resolved: the binary
  // ones the view has (an "all"-only view resolves on the Release's first architecture).
  apt::PackageUniverse universe;
  apt::Release fields;
  apt::ClosureOptions closure_options{.recommends = options.recommends};
  for (const ViewIndex& index : indexes) {
    AddUnique(fields.components, index.component);
    if (index.kind != apt::IndexKind::kPackages) continue;
    AddUnique(fields.architectures, index.architecture);
    if (index.architecture != "all") {
      AddUnique(closure_options.architectures, index.architecture);
    }
    MV_RETURN_IF_ERROR(universe.AddPackagesIndex(index.text, place + ": " + index.base));
  }
  if (closure_options.architectures.empty()) {
    for (const std::string& a : upstream.architectures) {
      if (a != "all") {
        closure_options.architectures.push_back(a);
        break;
      }
    }
  }
  if (closure_options.architectures.empty()) {
    return InvalidArgument(place + ": no architecture to resolve dependencies for");
  }
  MV_ASSIGN_OR_RETURN(apt::Closure closure,
                      apt::CloseOverDependencies(universe, selected, closure_options));
  std::set<std::string> binaries;
  for (uint32_t id : closure.packages) {
    const apt::UniversePackage& u = universe.packages()[id];
    binaries.insert(Key(u.package, u.version, u.architecture));
  }

  SuiteView view;
  view.unsatisfied = std::move(closure.unsatisfied);
  std::set<std::string> sources;  // (name, version) of the sources the binaries name
  std::set<std::string> pool_paths;
  auto add_pool = [&](const apt::PoolFile& f) {
    if (pool_paths.insert(f.path).second) view.pool.push_back(f);
  };
  std::vector<apt::WrittenFile> indexes_written;
  // Binary packages first: they name the source packages kept.
  for (int pass = 0; pass < 2; ++pass) {
    const apt::IndexKind kind = pass == 0 ? apt::IndexKind::kPackages : apt::IndexKind::kSources;
    for (const ViewIndex& index : indexes) {
      if (index.kind != kind) continue;
      const std::string in = place + ": " + index.base;
      std::set<std::string> kept;  // keys of the stanzas kept from this index
      if (kind == apt::IndexKind::kPackages) {
        MV_RETURN_IF_ERROR(
            apt::ForEachBinaryPackage(index.text, in, [&](const apt::BinaryPackage& b) -> Status {
              std::string key = Key(b.package, b.version, b.architecture);
              if (binaries.count(key) == 0) return Status::Ok();
              kept.insert(std::move(key));
              sources.insert(Key(b.source, b.source_version));
              add_pool(b.file);
              return Status::Ok();
            }));
      } else {
        MV_RETURN_IF_ERROR(
            apt::ForEachSourcePackage(index.text, in, [&](const apt::SourcePackage& s) -> Status {
              std::string key = Key(s.package, s.version);
              if (sources.count(key) == 0 && !selected(s.package)) return Status::Ok();
              kept.insert(std::move(key));
              for (const apt::PoolFile& f : s.files) add_pool(f);
              return Status::Ok();
            }));
      }
      std::string text;
      MV_RETURN_IF_ERROR(apt::ForEachParagraph(index.text, in, [&](const apt::Paragraph& p) {
        std::string_view name = p.Get("Package").value_or("");
        std::string_view version = p.Get("Version").value_or("");
        std::string key = kind == apt::IndexKind::kPackages
                              ? Key(name, version, p.Get("Architecture").value_or(""))
                              : Key(name, version);
        // A stanza is kept once per index (an index may repeat one; apt would list it twice).
        if (kept.erase(key) == 0) return Status::Ok();
        if (!text.empty()) text += '\n';
        text += apt::FormatParagraph(p);
        (kind == apt::IndexKind::kPackages ? view.binary_packages : view.source_packages) += 1;
        return Status::Ok();
      }));
      MV_ASSIGN_OR_RETURN(std::vector<apt::WrittenFile> variants,
                          apt::IndexVariants(index.base, text));
      for (apt::WrittenFile& f : variants) indexes_written.push_back(std::move(f));
    }
  }

  fields.origin = upstream.origin;
  fields.label = upstream.label;
  fields.suite = upstream.suite;
  fields.codename = upstream.codename;
  fields.version = upstream.version;
  fields.date = upstream.date;
  fields.acquire_by_hash = true;
  const std::string release = apt::WriteRelease(fields, indexes_written);
  MV_ASSIGN_OR_RETURN(apt::SignedRelease signed_release,
                      apt::SignRelease(release, options.signing_key, place + ": the derived view"));
  std::vector<std::string> by_hash = apt::ByHashPaths(indexes_written);
  for (size_t i = 0; i < indexes_written.size(); ++i) {
    view.files.push_back({.path = by_hash[i], .bytes = indexes_written[i].bytes});
  }
  for (apt::WrittenFile& f : indexes_written) view.files.push_back(std::move(f));
  view.files.push_back({.path = "Release", .bytes = release});
  view.files.push_back({.path = "InRelease", .bytes = std::move(signed_release.inrelease)});
  view.files.push_back({.path = "Release.gpg", .bytes = std::move(signed_release.release_gpg)});
  return view;
}

}  // namespace mv::importer
