#include "archive/tree_builder.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace mv::archive {

struct TreeBuilder::Dir {
  // By name, in byte order (std::string's), which is the tree's order.
  std::map<std::string, std::unique_ptr<Dir>> dirs;
  std::map<std::string, TreeEntry> leaves;  // files and symlinks
};

TreeBuilder::TreeBuilder() : root_(std::make_unique<Dir>()) {}
TreeBuilder::~TreeBuilder() = default;

namespace {

Status BadPath(std::string_view whole, std::string_view why) {
  return InvalidArgument("path '" + std::string(whole) + "': " + std::string(why));
}

}  // namespace

Result<TreeBuilder::Dir*> TreeBuilder::FindDir(std::string_view path, std::string_view whole) {
  Dir* dir = root_.get();
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view name = path.substr(0, slash);
    Status valid = ValidateEntryName(name);
    if (!valid.ok()) return BadPath(whole, valid.message());
    if (dir->leaves.contains(std::string(name))) {
      return BadPath(whole, "'" + std::string(name) + "' is a file or symlink, not a directory");
    }
    auto& child = dir->dirs[std::string(name)];
    if (!child) child = std::make_unique<Dir>();
    dir = child.get();
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return dir;
}

Status TreeBuilder::Add(std::string_view path, TreeEntry entry) {
  if (!root_) return Internal("TreeBuilder used after Build()");
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return BadPath(path, "must be a relative path without a trailing '/'");
  }
  size_t slash = path.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? "" : path.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  Status valid = ValidateEntryName(name);
  if (!valid.ok()) return BadPath(path, valid.message());
  if (entry.type == EntryType::kDirectory) return BadPath(path, "use AddDirectory for folders");
  MV_ASSIGN_OR_RETURN(Dir * dir, FindDir(parent, path));
  entry.name = std::string(name);
  if (dir->dirs.contains(entry.name) || dir->leaves.contains(entry.name)) {
    return BadPath(path, "added twice");
  }
  dir->leaves.emplace(entry.name, std::move(entry));
  return Status::Ok();
}

Status TreeBuilder::AddDirectory(std::string_view path) {
  if (!root_) return Internal("TreeBuilder used after Build()");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return FindDir(path, path).status();
}

bool TreeOrderLess(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = a[i] == '/' ? 0 : static_cast<unsigned char>(a[i]);
    const unsigned char y = b[i] == '/' ? 0 : static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

Status NodeLevels::Add(EncodedDirectory directory, std::span<const Sha256> subdirs) {
  // A node's height: 0 without directories below it, else one more than its tallest child
  // (subdirectories' top nodes for a leaf, child nodes for a shard).
  for (EncodedNode& node : directory.nodes) {
    std::string key(AsBytes(node.id));
    if (height_.contains(key)) continue;
    size_t h = 0;
    auto above = [&](const Sha256& child) {
      auto it = height_.find(std::string(AsBytes(child)));
      if (it != height_.end()) h = std::max(h, it->second + 1);
    };
    if (directory.nodes.size() == 1) {
      // A single leaf: its children are this folder's subfolders, known already.
      for (const Sha256& sub : subdirs) above(sub);
    } else {  // sharded: which node holds what is in the nodes themselves
      MV_ASSIGN_OR_RETURN(DecodedNode decoded, DecodeNode(node.bytes, "new tree node"));
      for (const TreeEntry& e : decoded.entries) {
        if (e.type == EntryType::kDirectory) above(e.hash);
      }
      for (const DecodedNode::Child& c : decoded.children) above(c.id);
    }
    height_.emplace(std::move(key), h);
    if (levels_.size() <= h) levels_.resize(h + 1);
    levels_[h].push_back(std::move(node));
    ++nodes_;
  }
  return Status::Ok();
}

Result<BuiltTree> TreeBuilder::Build() {
  if (!root_) return Internal("TreeBuilder used after Build()");
  BuiltTree out;
  NodeLevels levels;
  struct DirResult {
    Sha256 id;
    uint64_t files = 0;
    uint64_t bytes = 0;
  };
  // Files in tree order are collected by a pre-order pass; encoding is post-order.
  std::function<void(const Dir&, const std::string&)> collect = [&](const Dir& dir,
                                                                    const std::string& prefix) {
    auto d = dir.dirs.begin();
    auto l = dir.leaves.begin();
    while (d != dir.dirs.end() || l != dir.leaves.end()) {
      bool take_dir = l == dir.leaves.end() || (d != dir.dirs.end() && d->first < l->first);
      if (take_dir) {
        collect(*d->second, prefix + d->first + "/");
        ++d;
      } else {
        if (l->second.type == EntryType::kFile) {
          out.files_in_order.push_back({prefix + l->first, l->second});
        }
        ++l;
      }
    }
  };
  collect(*root_, "");

  std::function<Result<DirResult>(Dir&, const std::string&)> encode =
      [&](Dir& dir, const std::string& path) -> Result<DirResult> {
    DirResult result;
    std::vector<TreeEntry> entries;
    entries.reserve(dir.dirs.size() + dir.leaves.size());
    std::vector<Sha256> subdirs;
    subdirs.reserve(dir.dirs.size());
    for (auto& [name, child] : dir.dirs) {
      MV_ASSIGN_OR_RETURN(DirResult sub, encode(*child, path + name + "/"));
      child.reset();  // free as we go
      TreeEntry e;
      e.name = name;
      e.type = EntryType::kDirectory;
      e.size = sub.bytes;
      e.file_count = sub.files;
      e.hash = sub.id;
      subdirs.push_back(sub.id);
      entries.push_back(std::move(e));
      result.files += sub.files;
      result.bytes += sub.bytes;
    }
    for (auto& [name, leaf] : dir.leaves) {
      if (leaf.type == EntryType::kFile) {
        result.files += 1;
        result.bytes += leaf.size;
      }
      entries.push_back(std::move(leaf));
    }
    Result<EncodedDirectory> encoded = EncodeDirectory(std::move(entries));
    if (!encoded.ok()) {
      return encoded.status().WithContext("folder '" + (path.empty() ? "/" : path) + "'");
    }
    result.id = encoded->id;
    MV_RETURN_IF_ERROR(levels.Add(std::move(*encoded), subdirs));
    return result;
  };
  MV_ASSIGN_OR_RETURN(DirResult top, encode(*root_, ""));
  root_.reset();
  out.levels = levels.Take();
  out.root = top.id;
  out.files = top.files;
  out.bytes = top.bytes;
  return out;
}

}  // namespace mv::archive
