#include "publish/run_files.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "archive/run_view.h"

namespace mv::publish {
namespace {

using archive::EntryType;
using archive::TreeEntry;

std::string Under(const std::string& prefix, const std::string& rel) {
  return prefix.empty() ? rel : prefix + "/" + rel;
}

// What a link path resolves to, std::nullopt when dangling (missing, outside the run, a loop).
Result<std::optional<TreeEntry>> Resolve(archive::NodeSource& nodes, const archive::Sha256& root,
                                         std::string_view path) {
  Result<TreeEntry> entry = archive::ResolvePath(nodes, root, path);
  if (!entry.ok()) {
    if (entry.status().IsNotFound()) return std::optional<TreeEntry>();
    return entry.status();
  }
  return std::optional<TreeEntry>(*entry);
}

// Finds the changes between two runs: the trees compared where their ids differ, then every
// link path of either side resolved on both and what it reaches compared the same way (links
// met on the way queued in turn). Changes are merged by path: a path may lose a file through
// one route (a link that went) and gain one through another (a folder that came in its place).
class Differ {
 public:
  Differ(archive::NodeSource& nodes, const std::optional<archive::Sha256>& before,
         const archive::Sha256& after)
      : nodes_(nodes), before_(before), after_(after) {}

  Result<RunChanges> Run(const std::vector<std::string>& before_links) {
    std::optional<TreeEntry> old_root;
    if (before_) old_root = TreeEntry{.type = EntryType::kDirectory, .hash = *before_};
    MV_RETURN_IF_ERROR(
        Compare("", old_root, TreeEntry{.type = EntryType::kDirectory, .hash = after_}));
    for (const std::string& link : before_links) Queue(link);
    while (!work_.empty()) {
      const std::string link = std::move(work_.front());
      work_.pop_front();
      MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> old_target, LinkTarget(before_, link));
      MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> new_target, LinkTarget(after_, link));
      MV_RETURN_IF_ERROR(Compare(link, old_target, new_target));
    }
    RunChanges out;
    out.links.assign(links_.begin(), links_.end());
    for (auto& [path, change] : changes_) {
      if (change.before == change.after) continue;
      out.file_delta += (change.after ? 1 : 0) - (change.before ? 1 : 0);
      change.path = path;
      out.changes.push_back(std::move(change));
    }
    return out;
  }

 private:
  void Queue(const std::string& link) {
    if (queued_.insert(link).second) work_.push_back(link);
  }

  // What the link at `path` of the run reaches; std::nullopt when the run has no link there
  // (nothing, a file or a folder: those are compared as the tree's own) or it dangles.
  Result<std::optional<TreeEntry>> LinkTarget(const std::optional<archive::Sha256>& root,
                                              const std::string& path) {
    if (!root) return std::optional<TreeEntry>();
    const size_t slash = path.rfind('/');
    const std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> folder, Resolve(nodes_, *root, parent));
    if (!folder || folder->type != EntryType::kDirectory) return std::optional<TreeEntry>();
    MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> entry,
                        archive::LookupEntry(nodes_, folder->hash, name));
    if (!entry || entry->type != EntryType::kSymlink) return std::optional<TreeEntry>();
    if (root == after_) links_.insert(path);
    return Resolve(nodes_, *root, path);
  }

  void Saw(const std::string& path, const TreeEntry& entry, bool after) {
    if (entry.type == EntryType::kSymlink) {
      Queue(path);
    } else if (entry.type == EntryType::kFile) {
      FileChange& c = changes_[path];
      (after ? c.after : c.before) = FileContent{entry.hash, entry.size};
    }
  }

  // Every file and link of one side at `prefix` (a file, or a folder's whole content).
  Status Side(const std::string& prefix, const TreeEntry& entry, bool after) {
    if (entry.type != EntryType::kDirectory) {
      Saw(prefix, entry, after);
      return Status::Ok();
    }
    return archive::WalkTree(nodes_, entry.hash, [&](const std::string& rel, const TreeEntry& e) {
      Saw(Under(prefix, rel), e, after);
      return Status::Ok();
    });
  }

  // The files at `prefix`: what `before` held there against what `after` holds.
  Status Compare(const std::string& prefix, const std::optional<TreeEntry>& before,
                 const std::optional<TreeEntry>& after) {
    if (before && after && before->type == after->type && before->hash == after->hash &&
        before->size == after->size) {
      return Status::Ok();
    }
    if (before && after && before->type == EntryType::kDirectory &&
        after->type == EntryType::kDirectory) {
      return archive::DiffTrees(nodes_, before->hash, after->hash, [&](const archive::Change& c) {
        const std::string path = Under(prefix, c.path);
        if (c.before) Saw(path, *c.before, false);
        if (c.after) Saw(path, *c.after, true);
        return Status::Ok();
      });
    }
    if (before) MV_RETURN_IF_ERROR(Side(prefix, *before, false));
    if (after) MV_RETURN_IF_ERROR(Side(prefix, *after, true));
    return Status::Ok();
  }

  archive::NodeSource& nodes_;
  const std::optional<archive::Sha256> before_;
  const archive::Sha256 after_;
  std::map<std::string, FileChange> changes_;
  std::set<std::string> queued_;
  std::deque<std::string> work_;
  std::set<std::string> links_;
};

}  // namespace

Result<std::vector<RunFile>> ListRunFiles(archive::NodeSource& nodes, const archive::Sha256& root) {
  MV_ASSIGN_OR_RETURN(RunChanges all, DiffRunFiles(nodes, std::nullopt, {}, root));
  std::vector<RunFile> out;
  out.reserve(all.changes.size());
  for (const FileChange& c : all.changes) out.push_back({c.path, c.after->sha256, c.after->size});
  return out;
}

Result<RunChanges> DiffRunFiles(archive::NodeSource& nodes,
                                const std::optional<archive::Sha256>& before,
                                const std::vector<std::string>& before_links,
                                const archive::Sha256& after) {
  return Differ(nodes, before, after).Run(before_links);
}

Result<std::optional<FileContent>> FileAt(archive::NodeSource& nodes, const archive::Sha256& root,
                                          std::string_view path) {
  MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> entry, Resolve(nodes, root, path));
  if (!entry || entry->type != EntryType::kFile) return std::optional<FileContent>();
  return std::optional<FileContent>(FileContent{entry->hash, entry->size});
}

}  // namespace mv::publish
