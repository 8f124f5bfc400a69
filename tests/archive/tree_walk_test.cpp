#include "archive/tree_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "archive/memory_node_source.h"

namespace mv::archive {
namespace {

using testing::Dir;
using testing::File;
using testing::MemoryNodeSource;
using testing::PutDir;
using testing::Symlink;

std::string PackageName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "pkg-%04d.deb", i);
  return buf;
}

std::vector<TreeEntry> ManyFiles(int n, int changed = -1) {
  std::vector<TreeEntry> entries;
  for (int i = 0; i < n; ++i) {
    entries.push_back(File(PackageName(i), (i == changed ? "changed " : "") + std::to_string(i)));
  }
  return entries;
}

// root/
//   README, latest -> pool, empty/,
//   pool/main/{big/ (n files, one of them `changed`), small.deb}
Sha256 BuildRoot(MemoryNodeSource& source, int n = 2000, int changed = -1,
                 std::vector<TreeEntry> extra = {}) {
  TreeEntry big = PutDir(source, "big", ManyFiles(n, changed));
  TreeEntry main = PutDir(source, "main", {big, File("small.deb", "small")});
  TreeEntry pool = PutDir(source, "pool", {main});
  TreeEntry empty = PutDir(source, "empty", {});
  std::vector<TreeEntry> top = {File("README", "read me"), Symlink("latest", "pool"), pool, empty};
  for (TreeEntry& e : extra) top.push_back(std::move(e));
  return PutDir(source, "", std::move(top)).hash;
}

TEST(ListDirectory, MergesShardsInNameOrder) {
  MemoryNodeSource source;
  auto entries = ManyFiles(3000);
  TreeEntry dir = PutDir(source, "d", entries);
  auto listed = ListDirectory(source, dir.hash);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, entries);  // PackageName sorts like the numbers
}

TEST(ListDirectory, EmptyAndMissing) {
  MemoryNodeSource source;
  TreeEntry empty = PutDir(source, "e", {});
  auto listed = ListDirectory(source, empty.hash);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  auto missing = ListDirectory(source, Sha256Of("nothing"));
  EXPECT_TRUE(missing.status().IsNotFound());
}

// Re-encodes a shard node (the tests' own writer, for corrupt shapes).
std::string ShardBytes(const DecodedNode& node) {
  std::string out("MVT\x01S", 5);
  out += static_cast<char>(node.depth);
  out += static_cast<char>(node.children.size());
  for (const auto& c : node.children) {
    out += static_cast<char>(c.nibble);
    out += AsBytes(c.id);
  }
  return out;
}

TEST(ListDirectory, RefusesEntriesInTheWrongShard) {
  MemoryNodeSource source;
  auto dir = EncodeDirectory(ManyFiles(1000));
  ASSERT_TRUE(dir.ok());
  source.Add(*dir);
  auto top = source.GetNode(dir->id);
  ASSERT_TRUE(top.ok());
  ASSERT_GE(top->children.size(), 2u);
  std::swap(top->children[0].id, top->children[1].id);
  std::string bytes = ShardBytes(*top);
  Sha256 bad = Sha256Of(bytes);
  source.Put(bad, bytes);
  auto listed = ListDirectory(source, bad);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kCorruption);
  EXPECT_NE(listed.status().message().find("wrong shard"), std::string::npos)
      << listed.status().message();
  // The lookup follows the name's own nibble path, so it simply does not find the name.
  auto looked = LookupEntry(source, bad, PackageName(0));
  ASSERT_TRUE(looked.ok());
}

TEST(ListDirectory, RefusesNonCanonicalShapes) {
  MemoryNodeSource source;
  // A shard over a small directory (the encoder would have written one leaf).
  auto small = EncodeDirectory(ManyFiles(3));
  ASSERT_TRUE(small.ok());
  source.Add(*small);
  DecodedNode shard{.kind = DecodedNode::Kind::kShard, .depth = 0};
  std::map<uint8_t, std::vector<TreeEntry>> groups;
  for (const TreeEntry& e : ManyFiles(3)) groups[NameNibble(e.name, 0)].push_back(e);
  for (auto& [nibble, entries] : groups) {
    auto leaf = EncodeDirectory(entries);
    source.Add(*leaf);
    shard.children.push_back({.nibble = nibble, .id = leaf->id});
  }
  std::string bytes = ShardBytes(shard);
  source.Put(Sha256Of(bytes), bytes);
  auto listed = ListDirectory(source, Sha256Of(bytes));
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.status().message().find("holding only 3 entries"), std::string::npos)
      << listed.status().message();

  // A shard at the wrong depth.
  shard.depth = 1;
  bytes = ShardBytes(shard);
  source.Put(Sha256Of(bytes), bytes);
  listed = ListDirectory(source, Sha256Of(bytes));
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.status().message().find("depth 1 found at depth 0"), std::string::npos)
      << listed.status().message();
}

TEST(LookupEntry, ReadsOnlyTheNameShardPath) {
  MemoryNodeSource source;
  TreeEntry dir = PutDir(source, "d", ManyFiles(5000));
  source.ResetGets();
  auto found = LookupEntry(source, dir.hash, PackageName(4321));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, File(PackageName(4321), "4321"));
  EXPECT_LE(source.gets(), 3u);  // top shard, depth-1 shard, leaf

  auto absent = LookupEntry(source, dir.hash, "pkg-9999.deb");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto invalid = LookupEntry(source, dir.hash, "a/b");
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
}

TEST(LookupPath, FindsEntriesAndNamesMissingPaths) {
  MemoryNodeSource source;
  Sha256 root = BuildRoot(source);
  for (std::string_view path : {"", "/"}) {
    auto r = LookupPath(source, root, path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->type, EntryType::kDirectory);
    EXPECT_EQ(r->name, "");
    EXPECT_EQ(r->hash, root);
  }
  auto deep = LookupPath(source, root, "pool/main/big/pkg-0042.deb");
  ASSERT_TRUE(deep.ok()) << deep.status().ToString();
  EXPECT_EQ(*deep, File("pkg-0042.deb", "42"));
  auto slash = LookupPath(source, root, "/pool/main");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->type, EntryType::kDirectory);
  EXPECT_EQ(slash->file_count, 2001u);
  auto link = LookupPath(source, root, "latest");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->target, "pool");

  auto missing = LookupPath(source, root, "pool/contrib/x");
  ASSERT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("\"pool/contrib\" does not exist"), std::string::npos)
      << missing.status().message();
  auto through_file = LookupPath(source, root, "README/x");
  ASSERT_TRUE(through_file.status().IsNotFound());
  EXPECT_NE(through_file.status().message().find("\"README\" is a file"), std::string::npos)
      << through_file.status().message();
  EXPECT_TRUE(LookupPath(source, root, "latest/main").status().IsNotFound());  // no following
  EXPECT_EQ(LookupPath(source, root, "pool//main").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LookupPath(source, root, "pool/").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LookupPath(source, root, "pool/../pool").status().code(), StatusCode::kInvalidArgument);
}

std::vector<std::string> WalkPaths(MemoryNodeSource& source, const Sha256& root,
                                   const std::function<bool(const Sha256&)>& skip = {}) {
  std::vector<std::string> paths;
  Status s = WalkTree(
      source, root,
      [&](const std::string& path, const TreeEntry&) {
        paths.push_back(path);
        return Status::Ok();
      },
      skip);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return paths;
}

TEST(WalkTree, PreOrderByName) {
  MemoryNodeSource source;
  Sha256 root = BuildRoot(source, 300);
  std::vector<std::string> paths = WalkPaths(source, root);
  std::vector<std::string> want = {"README", "empty",     "latest",
                                   "pool",   "pool/main", "pool/main/big"};
  for (int i = 0; i < 300; ++i) want.push_back("pool/main/big/" + PackageName(i));
  want.push_back("pool/main/small.deb");
  EXPECT_EQ(paths, want);
}

TEST(WalkTree, SkipAndStop) {
  MemoryNodeSource source;
  Sha256 root = BuildRoot(source, 300);
  auto main = LookupPath(source, root, "pool/main");
  ASSERT_TRUE(main.ok());
  std::vector<std::string> paths =
      WalkPaths(source, root, [&](const Sha256& dir) { return dir == main->hash; });
  EXPECT_EQ(paths, (std::vector<std::string>{"README", "empty", "latest", "pool", "pool/main"}));

  int visited = 0;
  Status s = WalkTree(source, root, [&](const std::string& path, const TreeEntry&) {
    ++visited;
    return path == "latest" ? Internal("stop here") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(visited, 3);
}

// The brute-force diff: full walks of both trees, merged by path components (which orders paths
// exactly as DiffTrees reports them: pre-order, names in byte order).
using Listing = std::map<std::vector<std::string>, TreeEntry>;

Listing FullListing(MemoryNodeSource& source, const Sha256& root) {
  Listing out;
  Status s = WalkTree(source, root, [&](const std::string& path, const TreeEntry& e) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
      size_t slash = path.find('/', start);
      parts.push_back(path.substr(start, slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    out.emplace(parts, e);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::string Describe(const Change& c) {
  std::string kind = c.kind == ChangeKind::kAdded     ? "+"
                     : c.kind == ChangeKind::kRemoved ? "-"
                                                      : "~";
  return kind + c.path;
}

std::vector<std::string> ExpectedDiff(MemoryNodeSource& source, const Sha256& a, const Sha256& b) {
  Listing la = FullListing(source, a), lb = FullListing(source, b);
  std::map<std::vector<std::string>, std::string> all;
  auto join = [](const std::vector<std::string>& parts) {
    std::string p;
    for (const auto& s : parts) p += (p.empty() ? "" : "/") + s;
    return p;
  };
  for (const auto& [k, e] : la) {
    auto it = lb.find(k);
    if (it == lb.end()) {
      all[k] = "-" + join(k);
    } else if (!(it->second == e)) {
      all[k] = "~" + join(k);
    }
  }
  for (const auto& [k, e] : lb) {
    if (!la.count(k)) all[k] = "+" + join(k);
  }
  std::vector<std::string> out;
  for (auto& [k, v] : all) out.push_back(v);
  return out;
}

std::vector<Change> Diff(MemoryNodeSource& source, const Sha256& a, const Sha256& b) {
  std::vector<Change> changes;
  Status s = DiffTrees(source, a, b, [&](const Change& c) {
    changes.push_back(c);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return changes;
}

std::vector<std::string> DiffText(MemoryNodeSource& source, const Sha256& a, const Sha256& b) {
  std::vector<std::string> out;
  for (const Change& c : Diff(source, a, b)) out.push_back(Describe(c));
  return out;
}

TEST(DiffTrees, IdenticalTreesReadNothing) {
  MemoryNodeSource source;
  Sha256 root = BuildRoot(source);
  source.ResetGets();
  EXPECT_TRUE(Diff(source, root, root).empty());
  EXPECT_EQ(source.gets(), 0u);
}

TEST(DiffTrees, OneChangedFileInAShardedDirectoryReadsFewNodes) {
  MemoryNodeSource source;
  Sha256 a = BuildRoot(source, 5000);
  Sha256 b = BuildRoot(source, 5000, /*changed=*/1234);
  source.ResetGets();
  std::vector<Change> changes = Diff(source, a, b);
  // root, pool, main: 2 nodes each; big: top shard, depth-1 shard, leaf on each side.
  EXPECT_LE(source.gets(), 12u);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(Describe(changes[0]), "~pool");
  EXPECT_EQ(Describe(changes[1]), "~pool/main");
  EXPECT_EQ(Describe(changes[2]), "~pool/main/big");
  EXPECT_EQ(Describe(changes[3]), "~pool/main/big/" + PackageName(1234));
  ASSERT_TRUE(changes[3].before && changes[3].after);
  EXPECT_EQ(*changes[3].before, File(PackageName(1234), "1234"));
  EXPECT_EQ(*changes[3].after, File(PackageName(1234), "changed 1234"));
}

TEST(DiffTrees, AddedAndRemovedDirectoriesListEverythingBeneath) {
  MemoryNodeSource source;
  Sha256 a = BuildRoot(source, 10);
  TreeEntry inner = PutDir(source, "inner", {File("x", "x")});
  TreeEntry added = PutDir(source, "added", {File("b", "b"), inner, Symlink("a", "b")});
  Sha256 b = BuildRoot(source, 10, -1, {added});
  std::vector<Change> changes = Diff(source, a, b);
  std::vector<std::string> text;
  for (const Change& c : changes) text.push_back(Describe(c));
  EXPECT_EQ(text, (std::vector<std::string>{"+added", "+added/a", "+added/b", "+added/inner",
                                            "+added/inner/x"}));
  EXPECT_FALSE(changes[0].before);
  ASSERT_TRUE(changes[0].after);
  EXPECT_EQ(changes[0].after->type, EntryType::kDirectory);
  EXPECT_EQ(DiffText(source, b, a), (std::vector<std::string>{"-added", "-added/a", "-added/b",
                                                              "-added/inner", "-added/inner/x"}));
  for (const Change& c : Diff(source, b, a)) {
    EXPECT_TRUE(c.before);
    EXPECT_FALSE(c.after);
  }
}

TEST(DiffTrees, TypeChanges) {
  MemoryNodeSource source;
  TreeEntry as_dir = PutDir(source, "x", {File("inside", "1"), File("more", "2")});
  Sha256 a = PutDir(source, "", {File("a", "a"), File("x", "file"), File("z", "z")}).hash;
  Sha256 b = PutDir(source, "", {File("a", "a"), as_dir, File("z", "z")}).hash;
  std::vector<Change> changes = Diff(source, a, b);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(Describe(changes[0]), "~x");
  EXPECT_EQ(changes[0].before->type, EntryType::kFile);
  EXPECT_EQ(changes[0].after->type, EntryType::kDirectory);
  EXPECT_EQ(Describe(changes[1]), "+x/inside");
  EXPECT_EQ(Describe(changes[2]), "+x/more");
  EXPECT_EQ(DiffText(source, b, a), (std::vector<std::string>{"~x", "-x/inside", "-x/more"}));

  Sha256 c = PutDir(source, "", {File("a", "a"), Symlink("x", "a"), File("z", "z")}).hash;
  EXPECT_EQ(DiffText(source, a, c), (std::vector<std::string>{"~x"}));
  TreeEntry exec = File("a", "a", /*executable=*/true);
  Sha256 d = PutDir(source, "", {exec, File("x", "file"), File("z", "z")}).hash;
  EXPECT_EQ(DiffText(source, a, d), (std::vector<std::string>{"~a"}));
}

TEST(DiffTrees, LeafBecomingShardedMatchesBruteForce) {
  MemoryNodeSource source;
  Sha256 a = PutDir(source, "", {PutDir(source, "d", ManyFiles(250))}).hash;
  Sha256 b = PutDir(source, "", {PutDir(source, "d", ManyFiles(300, 7))}).hash;
  std::vector<std::string> got = DiffText(source, a, b);
  EXPECT_EQ(got, ExpectedDiff(source, a, b));
  EXPECT_EQ(got.size(), 1u + 1u + 50u);  // d, d/pkg-0007.deb, 50 added
  EXPECT_EQ(DiffText(source, b, a), ExpectedDiff(source, b, a));
}

TEST(DiffTrees, ReportsInPathOrderAcrossShards) {
  // Names whose order differs from their shards' order, in a directory that shards; each
  // change must still come out by name.
  MemoryNodeSource source;
  std::vector<TreeEntry> before = ManyFiles(600), after = ManyFiles(600);
  for (int i : {5, 77, 300, 599}) after[i] = File(PackageName(i), "x" + std::to_string(i));
  after.erase(after.begin() + 100);
  after.push_back(File("a new one", "n"));
  after.push_back(File("zz", "z"));
  Sha256 a = PutDir(source, "", {PutDir(source, "d", before), File("d b", "space")}).hash;
  Sha256 b = PutDir(source, "", {PutDir(source, "d", after), File("d b", "space2")}).hash;
  std::vector<std::string> got = DiffText(source, a, b);
  EXPECT_EQ(got, ExpectedDiff(source, a, b));
  EXPECT_EQ(got.front(), "~d");
  EXPECT_EQ(got.back(), "~d b");
}

TEST(DiffTrees, RandomTreesMatchBruteForce) {
  std::mt19937 rng(12345);
  MemoryNodeSource source;
  // A random directory of up to `width` entries, nested `depth` deep; mutate() derives a
  // similar one.
  std::function<std::vector<TreeEntry>(int, int, int)> make = [&](int depth, int width, int salt) {
    std::vector<TreeEntry> entries;
    int n = std::uniform_int_distribution<int>(0, width)(rng);
    for (int i = 0; i < n; ++i) {
      std::string name =
          "n" + std::to_string(std::uniform_int_distribution<int>(0, 3 * width)(rng));
      bool dup = std::any_of(entries.begin(), entries.end(),
                             [&](const TreeEntry& e) { return e.name == name; });
      if (dup) continue;
      int kind = std::uniform_int_distribution<int>(0, 9)(rng);
      if (kind < 2 && depth > 0) {
        entries.push_back(PutDir(source, name, make(depth - 1, width / 4 + 2, salt)));
      } else if (kind < 3) {
        entries.push_back(Symlink(name, "t" + std::to_string(salt % 3)));
      } else {
        entries.push_back(File(name, std::to_string(salt % 2)));
      }
    }
    return entries;
  };
  for (int round = 0; round < 30; ++round) {
    int width = round % 3 == 0 ? 700 : 40;
    std::vector<TreeEntry> base = make(2, width, round);
    std::vector<TreeEntry> other = base;
    int edits = std::uniform_int_distribution<int>(1, 6)(rng);
    for (int e = 0; e < edits && !other.empty(); ++e) {
      size_t at = std::uniform_int_distribution<size_t>(0, other.size() - 1)(rng);
      switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0:
          other.erase(other.begin() + static_cast<long>(at));
          break;
        case 1:
          other[at] = File(other[at].name, "edited" + std::to_string(e));
          break;
        case 2:
          other[at] = PutDir(source, other[at].name, make(1, 30, round + e));
          break;
        default:
          other.push_back(File("added" + std::to_string(e), "a"));
      }
    }
    Sha256 a = PutDir(source, "", base).hash;
    Sha256 b = PutDir(source, "", other).hash;
    SCOPED_TRACE(round);
    EXPECT_EQ(DiffText(source, a, b), ExpectedDiff(source, a, b));
    EXPECT_EQ(DiffText(source, b, a), ExpectedDiff(source, b, a));
  }
}

TEST(DiffTrees, VisitErrorStops) {
  MemoryNodeSource source;
  Sha256 a = BuildRoot(source, 10);
  Sha256 b = BuildRoot(source, 10, 3);
  int calls = 0;
  Status s = DiffTrees(source, a, b, [&](const Change&) {
    ++calls;
    return Unavailable("stop");
  });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);
}

TEST(DiffTrees, MissingNodeIsAnError) {
  MemoryNodeSource source;
  Sha256 a = BuildRoot(source, 10);
  Sha256 b = PutDir(source, "", {Dir("pool", Sha256Of("not stored"))}).hash;
  Status s = DiffTrees(source, a, b, [](const Change&) { return Status::Ok(); });
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

}  // namespace
}  // namespace mv::archive
