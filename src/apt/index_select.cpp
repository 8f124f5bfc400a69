#include "apt/index_select.h"

#include <algorithm>
#include <set>

#include "util/decompress.h"
#include "util/strings.h"

namespace mv::apt {
namespace {

// "a, b" for messages; "(none)" when empty.
std::string Listed(const std::vector<std::string>& items) {
  return items.empty() ? "(none)" : Join(items, ", ");
}

bool Contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// "Contents-amd64" -> "amd64"; "Contents-udeb-amd64" -> "" (installer packages are not taken).
std::string ContentsArch(std::string_view name) {
  if (!name.starts_with("Contents-")) return {};
  name.remove_prefix(9);
  if (name.starts_with("udeb-")) return {};
  return std::string(name);
}

}  // namespace

Result<std::vector<SelectedIndex>> SelectIndexes(const Release& release,
                                                 const IndexSelection& selection,
                                                 std::string_view where) {
  std::vector<std::string> components =
      selection.components.empty() ? release.components : selection.components;
  std::vector<std::string> archs =
      selection.architectures.empty() ? release.architectures : selection.architectures;
  for (const std::string& c : components) {
    if (!release.components.empty() && !Contains(release.components, c)) {
      return InvalidArgument(std::string(where) + ": the suite has no component '" + c +
                             "' (it has: " + Listed(release.components) + ")");
    }
  }
  for (const std::string& a : archs) {
    // "all" is often implied rather than listed (binary-all exists only in newer archives).
    if (a != "all" && !release.architectures.empty() && !Contains(release.architectures, a)) {
      return InvalidArgument(std::string(where) + ": the suite has no architecture '" + a +
                             "' (it has: " + Listed(release.architectures) + ")");
    }
  }
  // A Release that names no architectures, with none asked for: every one it has.
  auto arch_wanted = [&](std::string_view a) { return archs.empty() || Contains(archs, a); };

  std::vector<SelectedIndex> out;
  for (const auto& [path, entry] : release.files) {
    SelectedIndex s{.path = path, .entry = entry};
    s.base = std::string(StripCompressionExtension(path));
    std::string_view p = path;
    // A suite-wide Contents file (older layout: dists/<suite>/Contents-amd64.gz).
    if (p.find('/') == std::string_view::npos) {
      std::string arch = ContentsArch(StripCompressionExtension(p));
      if (arch.empty()) continue;
      if (arch == "source" ? !selection.sources : !arch_wanted(arch)) continue;
      s.kind = IndexKind::kContents;
      s.architecture = arch;
      out.push_back(std::move(s));
      continue;
    }
    // <component>/... where the component may itself hold a '/' ("updates/main").
    const std::string* component = nullptr;
    for (const std::string& c : components) {
      if (p.size() > c.size() && p.starts_with(c) && p[c.size()] == '/' &&
          (component == nullptr || c.size() > component->size())) {
        component = &c;
      }
    }
    if (component == nullptr) continue;
    s.component = *component;
    std::string_view rest = p.substr(component->size() + 1);
    size_t slash = rest.find('/');
    std::string_view dir = rest.substr(0, slash);
    std::string_view name = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    std::string_view stem = StripCompressionExtension(name);
    if (slash == std::string_view::npos) {
      // <component>/Contents-<arch>[.gz]
      std::string arch = ContentsArch(StripCompressionExtension(rest));
      if (arch.empty()) continue;
      if (arch == "source" ? !selection.sources : !arch_wanted(arch)) continue;
      s.kind = IndexKind::kContents;
      s.architecture = arch;
    } else if (dir.starts_with("binary-") && name.find('/') == std::string_view::npos) {
      std::string arch(dir.substr(7));
      if (!arch_wanted(arch)) continue;
      if (stem == "Packages") {
        s.kind = IndexKind::kPackages;
      } else if (stem == "Release") {
        s.kind = IndexKind::kOther;
      } else {
        continue;
      }
      s.architecture = arch;
    } else if (dir == "source" && name.find('/') == std::string_view::npos) {
      if (!selection.sources) continue;
      if (stem == "Sources") {
        s.kind = IndexKind::kSources;
      } else if (stem == "Release") {
        s.kind = IndexKind::kOther;
      } else {
        continue;
      }
      s.architecture = "source";
    } else if (dir == "i18n" && name.find('/') == std::string_view::npos) {
      if (!stem.starts_with("Translation-") && stem != "Index") continue;
      s.kind = IndexKind::kTranslation;
    } else {
      continue;  // debian-installer, dep11, Commands-*, ...: not taken
    }
    out.push_back(std::move(s));
  }
  if (out.empty()) {
    return InvalidArgument(std::string(where) + ": the Release lists no index of components " +
                           Listed(components) + " and architectures " + Listed(archs));
  }
  return out;
}

const SelectedIndex* PreferredVariant(const std::vector<const SelectedIndex*>& variants) {
  static constexpr Compression kOrder[] = {Compression::kNone, Compression::kXz, Compression::kGzip,
                                           Compression::kBzip2};
  for (Compression c : kOrder) {
    for (const SelectedIndex* v : variants) {
      if (CompressionFromName(v->path) == c) return v;
    }
  }
  return nullptr;
}

}  // namespace mv::apt
