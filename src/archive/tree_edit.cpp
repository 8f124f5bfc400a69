#include "archive/tree_edit.h"

#include <algorithm>
#include <memory>

namespace mv::archive {
namespace {

// The folders an edit touches, and their ancestors: the only ones encoded anew.
struct Dirty {
  std::map<std::string, std::unique_ptr<Dirty>> children;
  const std::vector<TreeEntry>* files = nullptr;  // folder_files' entry
  const BuiltTree* subtree = nullptr;             // subtrees' entry
};

struct Folder {
  Sha256 id{};
  uint64_t files = 0;
  uint64_t bytes = 0;
};

std::string Child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "/" + name;
}

std::string Shown(const std::string& path) { return path.empty() ? "/" : path; }

class Editor {
 public:
  Editor(NodeSource& nodes, BuiltTree& out) : nodes_(nodes), out_(out) {}

  Result<Dirty*> Mark(Dirty& root, const std::string& path) {
    Dirty* d = &root;
    size_t pos = 0;
    while (pos < path.size()) {
      size_t slash = path.find('/', pos);
      const std::string name =
          path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      MV_RETURN_IF_ERROR(ValidateEntryName(name).WithContext("edited folder '" + path + "'"));
      std::unique_ptr<Dirty>& next = d->children[name];
      if (!next) next = std::make_unique<Dirty>();
      d = next.get();
      pos = slash == std::string::npos ? path.size() : slash + 1;
    }
    return d;
  }

  // The folder at `path` rebuilt from `base` (none: a new folder); nullopt when it is left empty.
  Result<std::optional<Folder>> Rebuild(const Dirty& d, const std::string& path,
                                        const std::optional<Sha256>& base) {
    if (d.subtree != nullptr) {
      if (!d.children.empty() || d.files != nullptr) {
        return InvalidArgument("'" + Shown(path) + "' is replaced whole and edited within");
      }
      if (d.subtree->files == 0 && d.subtree->files_in_order.empty() &&
          IsEmptyFolder(d.subtree->root)) {
        return std::optional<Folder>();
      }
      for (const BuiltTree::File& f : d.subtree->files_in_order) {
        out_.files_in_order.push_back({path + "/" + f.path, f.entry});
      }
      return std::optional<Folder>(Folder{d.subtree->root, d.subtree->files, d.subtree->bytes});
    }
    std::map<std::string, TreeEntry> entries;
    if (base) {
      MV_ASSIGN_OR_RETURN(std::vector<TreeEntry> listed, ListDirectory(nodes_, *base));
      for (TreeEntry& e : listed) {
        if (d.files != nullptr && e.type != EntryType::kDirectory) continue;  // replaced
        std::string name = e.name;
        entries.emplace(std::move(name), std::move(e));
      }
    }
    if (d.files != nullptr) {
      for (const TreeEntry& e : *d.files) {
        if (e.type == EntryType::kDirectory) {
          return InvalidArgument("'" + Child(path, e.name) +
                                 "': an edit gives a folder's files and symlinks, not folders");
        }
        if (entries.contains(e.name) || d.children.contains(e.name)) {
          return InvalidArgument("'" + Child(path, e.name) + "' is both a file and a folder");
        }
        entries.emplace(e.name, e);
        if (e.type == EntryType::kFile) out_.files_in_order.push_back({Child(path, e.name), e});
      }
    }
    for (const auto& [name, child] : d.children) {
      std::optional<Sha256> child_base;
      auto it = entries.find(name);
      if (it != entries.end()) {
        if (it->second.type != EntryType::kDirectory) {
          return InvalidArgument("'" + Child(path, name) +
                                 "' is a file in the base tree, not a folder");
        }
        child_base = it->second.hash;
      }
      MV_ASSIGN_OR_RETURN(std::optional<Folder> rebuilt,
                          Rebuild(*child, Child(path, name), child_base));
      if (!rebuilt) {
        if (it != entries.end()) entries.erase(it);
        continue;
      }
      TreeEntry e{.name = name,
                  .type = EntryType::kDirectory,
                  .size = rebuilt->bytes,
                  .file_count = rebuilt->files,
                  .hash = rebuilt->id};
      entries.insert_or_assign(name, std::move(e));
    }
    if (entries.empty() && !path.empty()) return std::optional<Folder>();
    Folder folder;
    std::vector<TreeEntry> list;
    list.reserve(entries.size());
    std::vector<Sha256> subdirs;
    for (auto& [name, e] : entries) {
      if (e.type == EntryType::kDirectory) {
        folder.files += e.file_count;
        folder.bytes += e.size;
        subdirs.push_back(e.hash);
      } else if (e.type == EntryType::kFile) {
        folder.files += 1;
        folder.bytes += e.size;
      }
      list.push_back(std::move(e));
    }
    Result<EncodedDirectory> encoded = EncodeDirectory(std::move(list));
    if (!encoded.ok()) return encoded.status().WithContext("folder '" + Shown(path) + "'");
    folder.id = encoded->id;
    MV_RETURN_IF_ERROR(levels_.Add(std::move(*encoded), subdirs));
    return std::optional<Folder>(folder);
  }

  NodeLevels& levels() { return levels_; }

 private:
  bool IsEmptyFolder(const Sha256& id) {
    if (!empty_id_) empty_id_ = EncodeDirectory({}).value().id;
    return id == *empty_id_;
  }

  NodeSource& nodes_;
  BuiltTree& out_;
  NodeLevels levels_;
  std::optional<Sha256> empty_id_;
};

}  // namespace

Result<BuiltTree> EditTree(NodeSource& nodes, const std::optional<Sha256>& base_root,
                           TreeEdits edits) {
  BuiltTree out;
  Editor editor(nodes, out);
  Dirty root;
  for (const auto& [path, files] : edits.folder_files) {
    MV_ASSIGN_OR_RETURN(Dirty * d, editor.Mark(root, path));
    d->files = &files;
  }
  for (const auto& [path, subtree] : edits.subtrees) {
    if (path.empty()) return InvalidArgument("the whole tree cannot be a replaced subtree");
    MV_ASSIGN_OR_RETURN(Dirty * d, editor.Mark(root, path));
    d->subtree = &subtree;
  }
  MV_ASSIGN_OR_RETURN(std::optional<Folder> top, editor.Rebuild(root, "", base_root));
  // The replaced subtrees' nodes first: the folders above them name their tops.
  for (auto& [path, subtree] : edits.subtrees) {
    for (size_t k = 0; k < subtree.levels.size(); ++k) {
      if (out.levels.size() <= k) out.levels.resize(k + 1);
      std::move(subtree.levels[k].begin(), subtree.levels[k].end(),
                std::back_inserter(out.levels[k]));
    }
  }
  for (std::vector<EncodedNode>& level : editor.levels().Take()) {
    out.levels.push_back(std::move(level));
  }
  out.root = top->id;
  out.files = top->files;
  out.bytes = top->bytes;
  std::sort(out.files_in_order.begin(), out.files_in_order.end(),
            [](const BuiltTree::File& a, const BuiltTree::File& b) {
              return TreeOrderLess(a.path, b.path);
            });
  return out;
}

}  // namespace mv::archive
