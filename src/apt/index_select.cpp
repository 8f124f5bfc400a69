#include "apt/index_select.h"

#include <algorithm>
#include <functional>
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

// "Contents-amd64" -> "amd64"; "Contents-udeb-amd64" -> "amd64" with *udeb set.
std::string ContentsArch(std::string_view name, bool* udeb) {
  *udeb = false;
  if (!name.starts_with("Contents-")) return {};
  name.remove_prefix(9);
  if (name.starts_with("udeb-")) {
    name.remove_prefix(5);
    *udeb = true;
  }
  return std::string(name);
}

// Whether a Contents file of `arch` (udeb or not) is taken.
bool ContentsWanted(const IndexSelection& selection, const std::string& arch, bool udeb,
                    const std::function<bool(std::string_view)>& arch_wanted) {
  if (arch.empty() || Without(selection, IndexPart::kContents)) return false;
  if (udeb && (Without(selection, IndexPart::kUdeb) || Without(selection, IndexPart::kInstaller)))
    return false;
  if (arch == "source") return !udeb && selection.sources;
  return arch_wanted(arch);
}

// The architecture a dep11/ or cnf/ file is for ("Components-amd64.yml" -> "amd64"), or empty
// when its name has none the Release knows (icons-64x64.tar: for every architecture).
std::string SuffixArch(std::string_view stem, const Release& release) {
  size_t dot = stem.find('.');
  if (dot != std::string_view::npos) stem = stem.substr(0, dot);
  size_t dash = stem.rfind('-');
  if (dash == std::string_view::npos) return {};
  std::string arch(stem.substr(dash + 1));
  if (arch == "all" || Contains(release.architectures, arch)) return arch;
  return {};
}

}  // namespace

std::string_view IndexPartWord(IndexPart part) {
  return kIndexPartWords[static_cast<size_t>(part)];
}

Result<std::vector<IndexPart>> ParseIndexParts(const std::vector<std::string>& words,
                                               std::string_view where) {
  std::set<size_t> found;
  for (const std::string& w : words) {
    auto it = std::find(std::begin(kIndexPartWords), std::end(kIndexPartWords), w);
    if (it == std::end(kIndexPartWords)) {
      return InvalidArgument(
          std::string(where) + ": unknown part '" + w + "' to leave out (valid: " +
          Join(std::vector<std::string>(std::begin(kIndexPartWords), std::end(kIndexPartWords)),
               ", ") +
          ")");
    }
    found.insert(static_cast<size_t>(it - std::begin(kIndexPartWords)));
  }
  std::vector<IndexPart> out;
  for (size_t i : found) out.push_back(static_cast<IndexPart>(i));
  return out;
}

bool Without(const IndexSelection& selection, IndexPart part) {
  return std::find(selection.without.begin(), selection.without.end(), part) !=
         selection.without.end();
}

Result<std::vector<SelectedIndex>> SelectIndexes(const Release& release,
                                                 const IndexSelection& selection,
                                                 std::string_view where) {
  if (selection.flat) {
    if (!selection.components.empty()) {
      return InvalidArgument(std::string(where) +
                             ": a flat repository has no components; give none");
    }
    std::vector<SelectedIndex> out;
    for (const auto& [path, entry] : release.files) {
      SelectedIndex s{.path = path, .entry = entry};
      s.base = std::string(StripCompressionExtension(path));
      if (path.find('/') != std::string::npos) continue;
      if (s.base == "Packages") {
        s.kind = IndexKind::kPackages;
      } else if (s.base == "Sources") {
        if (!selection.sources) continue;
        s.kind = IndexKind::kSources;
      } else if (s.base.starts_with("Translation-")) {
        if (Without(selection, IndexPart::kI18n)) continue;
        s.kind = IndexKind::kTranslation;
      } else {
        bool udeb = false;
        std::string arch = ContentsArch(s.base, &udeb);
        if (!ContentsWanted(selection, arch, udeb, [](std::string_view) { return true; })) continue;
        s.kind = IndexKind::kContents;
        s.architecture = arch;
      }
      out.push_back(std::move(s));
    }
    if (out.empty()) {
      return InvalidArgument(std::string(where) +
                             ": the flat repository's Release lists no Packages or Sources");
    }
    return out;
  }
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
  std::function<bool(std::string_view)> arch_wanted = [&](std::string_view a) {
    return archs.empty() || Contains(archs, a);
  };

  std::vector<SelectedIndex> out;
  for (const auto& [path, entry] : release.files) {
    SelectedIndex s{.path = path, .entry = entry};
    s.base = std::string(StripCompressionExtension(path));
    std::string_view p = path;
    // A suite-wide Contents file (older layout: dists/<suite>/Contents-amd64.gz).
    if (p.find('/') == std::string_view::npos) {
      bool udeb = false;
      std::string arch = ContentsArch(StripCompressionExtension(p), &udeb);
      if (!ContentsWanted(selection, arch, udeb, arch_wanted)) continue;
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
      // <component>/Contents-<arch>[.gz], <component>/Contents-udeb-<arch>[.gz]
      bool udeb = false;
      std::string arch = ContentsArch(StripCompressionExtension(rest), &udeb);
      if (!ContentsWanted(selection, arch, udeb, arch_wanted)) continue;
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
      if (Without(selection, IndexPart::kI18n)) continue;
      if (!stem.starts_with("Translation-") && stem != "Index") continue;
      s.kind = IndexKind::kTranslation;
    } else if (dir == "dep11" && name.find('/') == std::string_view::npos) {
      if (Without(selection, IndexPart::kDep11)) continue;
      std::string arch = SuffixArch(stem, release);
      if (!arch.empty() && arch != "all" && !arch_wanted(arch)) continue;
      s.kind = IndexKind::kDep11;
      s.architecture = arch;
    } else if (dir == "cnf" && name.find('/') == std::string_view::npos) {
      if (Without(selection, IndexPart::kCnf)) continue;
      std::string arch = SuffixArch(stem, release);
      if (!arch.empty() && arch != "all" && !arch_wanted(arch)) continue;
      s.kind = IndexKind::kCommands;
      s.architecture = arch;
    } else if (dir == "debian-installer") {
      // debian-installer/binary-<arch>/{Packages*,Release}
      if (Without(selection, IndexPart::kInstaller)) continue;
      size_t sub = name.find('/');
      if (sub == std::string_view::npos) continue;
      std::string_view subdir = name.substr(0, sub);
      std::string_view leaf = name.substr(sub + 1);
      if (!subdir.starts_with("binary-") || leaf.find('/') != std::string_view::npos) continue;
      std::string arch(subdir.substr(7));
      if (!arch_wanted(arch)) continue;
      std::string_view leaf_stem = StripCompressionExtension(leaf);
      if (leaf_stem == "Packages") {
        s.kind = IndexKind::kInstallerPackages;
      } else if (leaf_stem == "Release") {
        s.kind = IndexKind::kOther;
      } else {
        continue;
      }
      s.architecture = arch;
    } else if (dir.starts_with("installer-")) {
      // installer-<arch>/<version>/images/<sums file>
      if (!selection.installer_images || Without(selection, IndexPart::kInstaller)) continue;
      std::string arch(dir.substr(10));
      if (!arch_wanted(arch)) continue;
      size_t v = name.find('/');
      if (v == std::string_view::npos || !name.substr(v + 1).starts_with("images/")) continue;
      std::string_view leaf = name.substr(v + 1 + 7);
      if (leaf.empty() || leaf.find('/') != std::string_view::npos) continue;
      s.kind = leaf == "SHA256SUMS" ? IndexKind::kInstallerImages : IndexKind::kOther;
      s.architecture = arch;
    } else {
      continue;  // anything else: not taken
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
