// EditTree against TreeBuilder: random trees shaped like a pool (a wide sharded folder among
// small ones), random edits (folders changed, emptied, added; a subtree replaced whole), and the
// edited tree compared with the tree a TreeBuilder makes of every file of the result: the same
// root, totals and files, and every node it needs either in the base tree or written by the edit.
#include "archive/tree_edit.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

#include "archive/memory_node_source.h"
#include "archive/tree_builder.h"

namespace mv::archive {
namespace {

using testing::MemoryNodeSource;

// path -> content; a content names a file's bytes.
using Files = std::map<std::string, std::string>;

TreeEntry FileEntry(const std::string& content) {
  return {.type = EntryType::kFile,
          .size = content.size(),
          .hash = Sha256Of(content),
          .sha1 = testing::Sha1Of(content)};
}

BuiltTree Build(const Files& files) {
  TreeBuilder builder;
  for (const auto& [path, content] : files) EXPECT_TRUE(builder.Add(path, FileEntry(content)).ok());
  auto built = builder.Build();
  EXPECT_TRUE(built.ok()) << built.status().ToString();
  return std::move(*built);
}

void Store(MemoryNodeSource& nodes, const BuiltTree& tree) {
  for (const auto& level : tree.levels) {
    for (const EncodedNode& n : level) nodes.Put(n.id, n.bytes);
  }
}

std::string FolderOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

TEST(EditTree, GivesWhatATreeBuilderGivesForEveryFileOfTheResult) {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 30; ++round) {
    // A pool: pool/<prefix>/<source>/<file>, one prefix wide enough to be sharded, and dists/.
    Files base;
    for (int p = 0; p < 4; ++p) {
      const int sources = p == 0 ? 300 : 1 + static_cast<int>(rng() % 6);
      for (int s = 0; s < sources; ++s) {
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int f = 0; f < n; ++f) {
          base["pool/p" + std::to_string(p) + "/s" + std::to_string(s) + "/f" + std::to_string(f)] =
              "v0 " + std::to_string(rng());
        }
      }
    }
    base["dists/sid/Release"] = "release 0";
    base["dists/sid/main/Packages"] = "packages 0";
    base["top-file"] = "top";
    const BuiltTree base_tree = Build(base);
    MemoryNodeSource nodes;
    Store(nodes, base_tree);

    // The edits: some source folders changed, emptied or new; dists/ replaced.
    Files after = base;
    std::set<std::string> folders;
    for (const auto& [path, content] : base) {
      if (path.starts_with("pool/")) folders.insert(FolderOf(path));
    }
    std::set<std::string> edited;
    for (const std::string& folder : folders) {
      const unsigned roll = rng() % 20;
      if (roll >= 3) continue;
      edited.insert(folder);
      for (auto it = after.lower_bound(folder + "/");
           it != after.end() && it->first.starts_with(folder + "/");) {
        it = after.erase(it);
      }
      if (roll == 0) continue;  // emptied: the folder goes
      const int n = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < n; ++f)
        after[folder + "/g" + std::to_string(f)] = "v1 " + std::to_string(rng());
    }
    for (int k = 0; k < 3; ++k) {  // new folders, one under a new prefix
      const std::string folder =
          "pool/p" + std::to_string(k == 2 ? 9 : k) + "/new" + std::to_string(round);
      edited.insert(folder);
      after[folder + "/h"] = "new " + std::to_string(rng());
    }
    if (round % 3 == 0) {  // a whole prefix emptied: it goes too
      for (const std::string& folder : folders) {
        if (!folder.starts_with("pool/p3/")) continue;
        edited.insert(folder);
        for (auto it = after.lower_bound(folder + "/");
             it != after.end() && it->first.starts_with(folder + "/");) {
          it = after.erase(it);
        }
      }
    }
    Files dists;
    for (auto it = after.begin(); it != after.end();) {
      if (!it->first.starts_with("dists/")) {
        ++it;
        continue;
      }
      it = after.erase(it);
    }
    dists["sid/Release"] = "release " + std::to_string(round);
    if (round % 2 == 0) dists["sid/main/by-hash/x"] = "packages " + std::to_string(round);
    for (const auto& [path, content] : dists) after["dists/" + path] = content;

    TreeEdits edits;
    for (const std::string& folder : edited) {
      std::vector<TreeEntry>& entries = edits.folder_files[folder];
      for (auto it = after.lower_bound(folder + "/");
           it != after.end() && it->first.starts_with(folder + "/"); ++it) {
        if (it->first.find('/', folder.size() + 1) != std::string::npos) continue;
        TreeEntry e = FileEntry(it->second);
        e.name = it->first.substr(folder.size() + 1);
        entries.push_back(std::move(e));
      }
    }
    edits.subtrees["dists"] = Build(dists);
    auto edited_tree = EditTree(nodes, base_tree.root, std::move(edits));
    ASSERT_TRUE(edited_tree.ok()) << edited_tree.status().ToString();

    const BuiltTree expected = Build(after);
    EXPECT_EQ(ToHex(edited_tree->root), ToHex(expected.root)) << "round " << round;
    EXPECT_EQ(edited_tree->files, expected.files);
    EXPECT_EQ(edited_tree->bytes, expected.bytes);
    // Only the edited folders' files and dists/'s, in tree order.
    std::vector<std::string> want_files, got_files;
    for (const BuiltTree::File& f : expected.files_in_order) {
      if (f.path.starts_with("dists/") || edited.contains(FolderOf(f.path))) {
        want_files.push_back(f.path);
      }
    }
    for (const BuiltTree::File& f : edited_tree->files_in_order) got_files.push_back(f.path);
    EXPECT_EQ(got_files, want_files);
    // Every node of the result is in the base tree or among the edit's; fewer were written than
    // the whole tree has.
    size_t written = 0;
    for (const auto& level : edited_tree->levels) written += level.size();
    size_t whole = 0;
    for (const auto& level : expected.levels) whole += level.size();
    EXPECT_LT(written, whole);
    Store(nodes, *edited_tree);
    size_t walked = 0;
    ASSERT_TRUE(WalkTree(nodes, edited_tree->root, [&](const std::string&, const TreeEntry& e) {
                  walked += e.type == EntryType::kFile ? 1 : 0;
                  return Status::Ok();
                }).ok());
    EXPECT_EQ(walked, after.size());
  }
}

TEST(EditTree, NothingEditedIsTheBaseTree) {
  const BuiltTree base = Build({{"a/b", "1"}, {"c", "2"}});
  MemoryNodeSource nodes;
  Store(nodes, base);
  nodes.ResetGets();
  auto same = EditTree(nodes, base.root, {});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->root, base.root);
  EXPECT_EQ(same->files, 2u);
  EXPECT_EQ(nodes.gets(), 1u);  // the root only: nothing below it was read
}

TEST(EditTree, AnEmptyBaseIsBuiltFromTheEdits) {
  TreeEdits edits;
  TreeEntry e = FileEntry("x");
  e.name = "f";
  edits.folder_files["a/b"] = {e};
  MemoryNodeSource nodes;
  auto built = EditTree(nodes, std::nullopt, std::move(edits));
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->root, Build({{"a/b/f", "x"}}).root);
}

TEST(EditTree, AFileAndAFolderOfOneNameAreRefused) {
  const BuiltTree base = Build({{"a/b", "1"}, {"c/d", "2"}});
  MemoryNodeSource nodes;
  Store(nodes, base);
  {
    TreeEdits edits;  // a folder under the file a/b
    edits.folder_files["a/b/x"] = {};
    TreeEntry e = FileEntry("y");
    e.name = "y";
    edits.folder_files["a/b/x"].push_back(e);
    auto r = EditTree(nodes, base.root, std::move(edits));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("'a/b' is a file in the base tree"), std::string::npos)
        << r.status().message();
  }
  {
    TreeEdits edits;  // a file named as the folder c, kept from the base
    TreeEntry e = FileEntry("z");
    e.name = "c";
    edits.folder_files[""] = {e};
    auto r = EditTree(nodes, base.root, std::move(edits));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("'c' is both a file and a folder"), std::string::npos)
        << r.status().message();
  }
  {
    TreeEdits edits;  // an edit within a replaced subtree
    edits.subtrees["c"] = Build({{"d", "3"}});
    edits.folder_files["c/e"] = {};
    auto r = EditTree(nodes, base.root, std::move(edits));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("'c' is replaced whole and edited within"),
              std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace mv::archive
