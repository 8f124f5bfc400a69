#include "archive/tree_walk.h"

#include <algorithm>
#include <utility>

namespace mv::archive {
namespace {

// Directories nest at most this deep: a path of more components is longer than PATH_MAX (4096)
// allows, so a deeper tree is corrupt, and the recursion below stays within the stack.
constexpr int kMaxNesting = 2048;

// The nibbles of SHA-256(name) that lead from a directory's top node to a node: one per shard
// level passed, so its size is the depth of the next shard node on the path.
using NibblePath = std::vector<uint8_t>;

uint8_t NibbleAt(const Sha256& digest, size_t depth) {
  uint8_t byte = digest[depth / 2];
  return depth % 2 == 0 ? byte >> 4 : byte & 0x0f;
}

Status NodeCorruption(const Sha256& id, const std::string& what) {
  return Corruption("tree node " + ToHex(id) + ": " + what);
}

std::string JoinPath(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string path = dir;
  path += '/';
  path += name;
  return path;
}

Status TooDeep(const std::string& path) {
  return Corruption("tree nested deeper than " + std::to_string(kMaxNesting) +
                    " directories at \"" + path.substr(0, 300) + "...\"");
}

bool ByName(const TreeEntry& a, const TreeEntry& b) { return a.name < b.name; }

// Moves the entries of the node `node` (id `id`), found at `path` within its directory, to
// `out`; checks that each entry belongs under `path` and that the shape is canonical (no empty
// leaf below a shard, no shard holding <= kMaxLeafEntries entries).
Status CollectEntries(NodeSource& source, const Sha256& id, DecodedNode& node, NibblePath& path,
                      std::vector<TreeEntry>& out);

Status CollectEntries(NodeSource& source, const Sha256& id, NibblePath& path,
                      std::vector<TreeEntry>& out) {
  MV_ASSIGN_OR_RETURN(DecodedNode node, source.GetNode(id));
  return CollectEntries(source, id, node, path, out);
}

Status CollectEntries(NodeSource& source, const Sha256& id, DecodedNode& node, NibblePath& path,
                      std::vector<TreeEntry>& out) {
  if (node.kind == DecodedNode::Kind::kLeaf) {
    if (!path.empty() && node.entries.empty()) {
      return NodeCorruption(id, "an empty leaf below a shard node");
    }
    for (TreeEntry& e : node.entries) {
      if (!path.empty()) {
        Sha256 h = Sha256Of(e.name);
        for (size_t d = 0; d < path.size(); ++d) {
          if (NibbleAt(h, d) != path[d]) {
            return NodeCorruption(
                id, "entry \"" + e.name.substr(0, 100) + "\" is in the wrong shard (nibble " +
                        std::to_string(d) + " of its name's hash is " +
                        std::to_string(NibbleAt(h, d)) + ", not " + std::to_string(path[d]) + ")");
          }
        }
      }
      out.push_back(std::move(e));
    }
    return Status::Ok();
  }
  if (static_cast<size_t>(node.depth) != path.size()) {
    return NodeCorruption(id, "a shard node of depth " + std::to_string(node.depth) +
                                  " found at depth " + std::to_string(path.size()));
  }
  size_t before = out.size();
  for (const DecodedNode::Child& child : node.children) {
    path.push_back(child.nibble);
    Status s = CollectEntries(source, child.id, path, out);
    path.pop_back();
    MV_RETURN_IF_ERROR(s);
  }
  if (out.size() - before <= kMaxLeafEntries) {
    return NodeCorruption(id, "a shard node holding only " + std::to_string(out.size() - before) +
                                  " entries (a leaf holds up to " +
                                  std::to_string(kMaxLeafEntries) + ")");
  }
  return Status::Ok();
}

Result<std::vector<TreeEntry>> ListSorted(NodeSource& source, const Sha256& id, DecodedNode& node,
                                          NibblePath& path) {
  std::vector<TreeEntry> entries;
  MV_RETURN_IF_ERROR(CollectEntries(source, id, node, path, entries));
  if (node.kind == DecodedNode::Kind::kShard) std::sort(entries.begin(), entries.end(), ByName);
  return entries;
}

using Visit = std::function<Status(const std::string& path, const TreeEntry& entry)>;
using Skip = std::function<bool(const Sha256& dir)>;

Status WalkDirectory(NodeSource& source, const Sha256& dir, const std::string& dir_path,
                     int nesting, const Visit& visit, const Skip& skip) {
  if (nesting > kMaxNesting) return TooDeep(dir_path);
  MV_ASSIGN_OR_RETURN(std::vector<TreeEntry> entries, ListDirectory(source, dir));
  for (const TreeEntry& e : entries) {
    std::string path = JoinPath(dir_path, e.name);
    MV_RETURN_IF_ERROR(visit(path, e));
    if (e.type == EntryType::kDirectory && !(skip && skip(e.hash))) {
      MV_RETURN_IF_ERROR(WalkDirectory(source, e.hash, path, nesting + 1, visit, skip));
    }
  }
  return Status::Ok();
}

// One name whose entry differs between the two sides of a diff.
struct EntryChange {
  std::optional<TreeEntry> before;
  std::optional<TreeEntry> after;
  const std::string& name() const { return before ? before->name : after->name; }
};

// Appends a change for every name whose entry differs between listings `a` and `b` (sorted).
void MergeListings(std::vector<TreeEntry> a, std::vector<TreeEntry> b,
                   std::vector<EntryChange>& out) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].name < b[j].name)) {
      out.push_back({.before = std::move(a[i++])});
    } else if (i == a.size() || b[j].name < a[i].name) {
      out.push_back({.after = std::move(b[j++])});
    } else {
      if (!(a[i] == b[j])) out.push_back({.before = std::move(a[i]), .after = std::move(b[j])});
      ++i;
      ++j;
    }
  }
}

class Differ {
 public:
  Differ(NodeSource& source, const std::function<Status(const Change&)>& visit)
      : source_(source), visit_(visit) {}

  // Reports the differences beneath directories `a` and `b` at `dir_path`.
  Status DiffDirectory(const Sha256& a, const Sha256& b, const std::string& dir_path, int nesting) {
    if (a == b) return Status::Ok();
    if (nesting > kMaxNesting) return TooDeep(dir_path);
    std::vector<EntryChange> changes;
    NibblePath path;
    MV_RETURN_IF_ERROR(DiffNodes(a, b, path, changes));
    std::sort(changes.begin(), changes.end(),
              [](const EntryChange& x, const EntryChange& y) { return x.name() < y.name(); });
    for (const EntryChange& c : changes) {
      std::string path_of = JoinPath(dir_path, c.name());
      bool dir_before = c.before && c.before->type == EntryType::kDirectory;
      bool dir_after = c.after && c.after->type == EntryType::kDirectory;
      ChangeKind kind = !c.before  ? ChangeKind::kAdded
                        : !c.after ? ChangeKind::kRemoved
                                   : ChangeKind::kChanged;
      MV_RETURN_IF_ERROR(
          visit_(Change{.kind = kind, .path = path_of, .before = c.before, .after = c.after}));
      if (dir_before && dir_after) {
        MV_RETURN_IF_ERROR(DiffDirectory(c.before->hash, c.after->hash, path_of, nesting + 1));
      } else if (dir_before) {
        MV_RETURN_IF_ERROR(ReportAll(ChangeKind::kRemoved, c.before->hash, path_of, nesting + 1));
      } else if (dir_after) {
        MV_RETURN_IF_ERROR(ReportAll(ChangeKind::kAdded, c.after->hash, path_of, nesting + 1));
      }
    }
    return Status::Ok();
  }

 private:
  // Appends the changed names between two nodes at the same place `path` of a directory's
  // shard tree: pairwise by nibble where both are shard nodes, by full listings otherwise.
  Status DiffNodes(const Sha256& a, const Sha256& b, NibblePath& path,
                   std::vector<EntryChange>& out) {
    if (a == b) return Status::Ok();
    MV_ASSIGN_OR_RETURN(DecodedNode na, source_.GetNode(a));
    MV_ASSIGN_OR_RETURN(DecodedNode nb, source_.GetNode(b));
    bool shard_a = na.kind == DecodedNode::Kind::kShard;
    bool shard_b = nb.kind == DecodedNode::Kind::kShard;
    if (shard_a && shard_b && static_cast<size_t>(na.depth) == path.size() &&
        static_cast<size_t>(nb.depth) == path.size()) {
      size_t i = 0, j = 0;
      while (i < na.children.size() || j < nb.children.size()) {
        const DecodedNode::Child* ca = i < na.children.size() ? &na.children[i] : nullptr;
        const DecodedNode::Child* cb = j < nb.children.size() ? &nb.children[j] : nullptr;
        uint8_t nibble = !cb || (ca && ca->nibble < cb->nibble) ? ca->nibble : cb->nibble;
        bool in_a = ca && ca->nibble == nibble;
        bool in_b = cb && cb->nibble == nibble;
        path.push_back(nibble);
        Status s;
        if (in_a && in_b) {
          s = DiffNodes(ca->id, cb->id, path, out);
        } else {
          std::vector<TreeEntry> only;
          s = CollectEntries(source_, in_a ? ca->id : cb->id, path, only);
          for (TreeEntry& e : only) {
            out.push_back(in_a ? EntryChange{.before = std::move(e)}
                               : EntryChange{.after = std::move(e)});
          }
        }
        path.pop_back();
        MV_RETURN_IF_ERROR(s);
        i += in_a ? 1 : 0;
        j += in_b ? 1 : 0;
      }
      return Status::Ok();
    }
    // Different shapes (a leaf that outgrew kMaxLeafEntries on one side), or a shard at the
    // wrong depth, which the listing reports.
    MV_ASSIGN_OR_RETURN(std::vector<TreeEntry> la, ListSorted(source_, a, na, path));
    MV_ASSIGN_OR_RETURN(std::vector<TreeEntry> lb, ListSorted(source_, b, nb, path));
    MergeListings(std::move(la), std::move(lb), out);
    return Status::Ok();
  }

  // Reports every entry beneath directory `dir` as added or removed.
  Status ReportAll(ChangeKind kind, const Sha256& dir, const std::string& dir_path, int nesting) {
    return WalkDirectory(source_, dir, dir_path, nesting,
                         [&](const std::string& path, const TreeEntry& e) {
                           Change c{.kind = kind, .path = path};
                           (kind == ChangeKind::kAdded ? c.after : c.before) = e;
                           return visit_(c);
                         },
                         {});
  }

  NodeSource& source_;
  const std::function<Status(const Change&)>& visit_;
};

}  // namespace

Result<std::vector<TreeEntry>> ListDirectory(NodeSource& source, const Sha256& dir) {
  MV_ASSIGN_OR_RETURN(DecodedNode node, source.GetNode(dir));
  NibblePath path;
  return ListSorted(source, dir, node, path);
}

Result<std::optional<TreeEntry>> LookupEntry(NodeSource& source, const Sha256& dir,
                                             std::string_view name) {
  if (Status s = ValidateEntryName(name); !s.ok()) return s.WithContext("looking up an entry");
  std::optional<Sha256> name_hash;
  Sha256 id = dir;
  for (size_t depth = 0;; ++depth) {
    MV_ASSIGN_OR_RETURN(DecodedNode node, source.GetNode(id));
    if (node.kind == DecodedNode::Kind::kLeaf) {
      auto it = std::lower_bound(
          node.entries.begin(), node.entries.end(), name,
          [](const TreeEntry& e, std::string_view n) { return std::string_view(e.name) < n; });
      if (it == node.entries.end() || it->name != name) return std::optional<TreeEntry>();
      return std::optional<TreeEntry>(std::move(*it));
    }
    if (static_cast<size_t>(node.depth) != depth) {
      return NodeCorruption(id, "a shard node of depth " + std::to_string(node.depth) +
                                    " found at depth " + std::to_string(depth));
    }
    if (!name_hash) name_hash = Sha256Of(name);
    uint8_t nibble = NibbleAt(*name_hash, depth);
    auto child = std::find_if(node.children.begin(), node.children.end(),
                              [&](const DecodedNode::Child& c) { return c.nibble == nibble; });
    if (child == node.children.end()) return std::optional<TreeEntry>();
    id = child->id;
  }
}

Result<TreeEntry> LookupPath(NodeSource& source, const Sha256& root, std::string_view path) {
  std::string_view rest = path;
  if (rest.starts_with('/')) rest.remove_prefix(1);
  TreeEntry current{.name = "", .type = EntryType::kDirectory, .hash = root};
  std::string walked;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view component = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (slash != std::string_view::npos && rest.empty()) {
      return InvalidArgument("path \"" + std::string(path) + "\" ends with '/'");
    }
    if (Status s = ValidateEntryName(component); !s.ok()) {
      return s.WithContext("path \"" + std::string(path) + "\"");
    }
    if (current.type != EntryType::kDirectory) {
      return NotFound("path \"" + std::string(path) + "\": \"" + walked + "\" is a " +
                      std::string(EntryTypeName(current.type)) + ", not a directory");
    }
    MV_ASSIGN_OR_RETURN(std::optional<TreeEntry> next,
                        LookupEntry(source, current.hash, component));
    walked = JoinPath(walked, component);
    if (!next) {
      return NotFound("path \"" + std::string(path) + "\": \"" + walked + "\" does not exist");
    }
    current = std::move(*next);
  }
  return current;
}

Status WalkTree(NodeSource& source, const Sha256& root,
                const std::function<Status(const std::string& path, const TreeEntry& entry)>& visit,
                const std::function<bool(const Sha256& dir)>& skip) {
  return WalkDirectory(source, root, "", 0, visit, skip);
}

Status DiffTrees(NodeSource& source, const Sha256& a, const Sha256& b,
                 const std::function<Status(const Change&)>& visit) {
  return Differ(source, visit).DiffDirectory(a, b, "", 0);
}

}  // namespace mv::archive
