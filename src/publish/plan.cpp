#include "publish/plan.h"

#include <algorithm>
#include <set>

#include "util/decompress.h"
#include "util/strings.h"

namespace mv::publish {
namespace {

// dists/SUITE/NAME: a suite's own Release files (not a component's Release below it).
bool IsSuiteFile(std::string_view path) {
  if (!path.starts_with("dists/")) return false;
  std::string_view rest = path.substr(6);
  size_t slash = rest.find('/');
  return slash != std::string_view::npos && rest.find('/', slash + 1) == std::string_view::npos;
}

// A flat repository's index at the top ("Packages.xz", "Sources.gz", "Contents-amd64").
bool IsFlatIndex(std::string_view path) {
  if (path.find('/') != std::string_view::npos) return false;
  std::string_view stem = StripCompressionExtension(path);
  return stem == "Packages" || stem == "Sources" || stem.starts_with("Translation-") ||
         stem.starts_with("Contents-");
}

// A partial mirror's derived view is a second repository under view/ (importer/derived_view.h):
// its dists/ is staged as the run's own.
std::string_view RepositoryPath(std::string_view path) {
  if (path.starts_with("view/dists/")) path.remove_prefix(5);
  return path;
}

}  // namespace

Stage StageOf(std::string_view path) {
  // A flat repository (`deb URI ./`): its Release files and indexes at the top.
  if (path.find('/') == std::string_view::npos && ReleaseRank(path) >= 0) return Stage::kRelease;
  if (IsFlatIndex(path)) return Stage::kIndexes;
  path = RepositoryPath(path);
  if (!path.starts_with("dists/")) return Stage::kContent;
  if (path.find("/by-hash/") != std::string_view::npos) return Stage::kContent;
  if (IsSuiteFile(path) && ReleaseRank(path) >= 0) return Stage::kRelease;
  return Stage::kIndexes;
}

int ReleaseRank(std::string_view path) {
  std::string_view name = BaseName(path);
  if (name == "Release") return 0;
  if (name == "Release.gpg") return 1;
  if (name == "InRelease") return 2;
  return -1;
}

Plan MakePlan(const std::vector<FileChange>& changes, const Manifest& current,
              std::string_view archive, std::string_view run_id,
              std::chrono::system_clock::time_point now, std::chrono::seconds grace) {
  Plan plan;
  plan.next.archive = std::string(archive);
  plan.next.run = std::string(run_id);
  plan.next.published = now;
  std::set<std::string_view> named;
  for (const FileChange& c : changes) {
    if (!c.after) {
      if (c.before) plan.next.retired[c.path] = ManifestFile{c.before->sha256, c.before->size, now};
      continue;
    }
    named.insert(c.path);
    if (c.before == c.after) continue;
    plan.stages[static_cast<int>(StageOf(c.path)) - 1].push_back(
        {c.path, c.after->sha256, c.after->size});
    plan.upload_bytes += c.after->size;
  }
  for (auto& stage : plan.stages) {
    std::sort(stage.begin(), stage.end(), [](const RunFile& a, const RunFile& b) {
      return std::pair(ReleaseRank(a.path), a.path) < std::pair(ReleaseRank(b.path), b.path);
    });
  }
  // Retired: what the changes drop (since now), and what was retired before and is still not
  // named (keeping its time). Past the grace: deletable.
  for (const auto& [path, f] : current.retired) {
    if (!named.contains(path)) plan.next.retired.try_emplace(path, f);
  }
  for (auto it = plan.next.retired.begin(); it != plan.next.retired.end();) {
    if (now - it->second.since >= grace) {
      plan.deletable.push_back(it->first);
      it = plan.next.retired.erase(it);
    } else {
      ++it;
    }
  }
  return plan;
}

}  // namespace mv::publish
