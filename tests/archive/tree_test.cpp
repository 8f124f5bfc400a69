#include "archive/tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "archive/memory_node_source.h"
#include "util/encoding.h"

namespace mv::archive {
namespace {

using testing::File;
using testing::Symlink;

// The examples whose encodings are pinned below (cross-checked against an independent Python
// encoder written from docs/store-format.md). Changing any pinned value changes the
// permanent store format: don't, unless docs/store-format.md gets a new version.
constexpr std::string_view kEmptyDirId =
    "7ee6caa99b2f96355b18759e3525462e790006f8f09aa4516338af725f3c2745";
// "MVT" 01 'L', 4 entries in byte order: README ('f', size 6, sha256, sha1), latest ('l' -> "sub"),
// run.sh ('x', size 18, sha256, sha1), sub ('d', 0 bytes, 0 files, the empty directory's id).
constexpr std::string_view kSmallLeafHex =
    "4d5654014c04"
    "06524541444d45"
    "66"
    "06"
    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    "f572d396fae9206628714fb2ce00f72e94f2258f"
    "066c6174657374"
    "6c"
    "03737562"
    "0672756e2e7368"
    "78"
    "12"
    "299001868fb8c02fd431c336c6d058f5558c5dff5b5af5e6fe04b870a6a9cbba"
    "b2b62c101a156f5f12dd7197cf7ae9424164b115"
    "03737562"
    "64"
    "00"
    "00"
    "7ee6caa99b2f96355b18759e3525462e790006f8f09aa4516338af725f3c2745";
constexpr std::string_view kSmallLeafId =
    "635c80e6ab69e27092caa123abee4237b3746e5d8843320e608dd8eca9043b9c";
constexpr std::string_view kThousandId =
    "3b06ae019156cf15b8734a1a72111dbf31539b92ca2b224fa7ab6ec1d7f1ba36";
constexpr size_t kThousandNodes = 17;  // 16 leaves under one shard node

std::vector<TreeEntry> SmallLeafEntries() {
  auto empty = EncodeDirectory({});
  return {
      File("README", "hello\n"),
      File("run.sh", "#!/bin/sh\necho hi\n", /*executable=*/true),
      testing::Dir("sub", empty->id, 0, 0),
      Symlink("latest", "sub"),
  };
}

std::string PackageName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "pkg-%04d_1.0_amd64.deb", i);
  return buf;
}

std::vector<TreeEntry> ManyFiles(int n) {
  std::vector<TreeEntry> entries;
  for (int i = 0; i < n; ++i) {
    entries.push_back(File(PackageName(i), "contents of " + std::to_string(i)));
  }
  return entries;
}

std::string Hex(std::string_view bytes) { return HexEncode(bytes); }

TEST(TreeGolden, EmptyDirectory) {
  auto dir = EncodeDirectory({});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  ASSERT_EQ(dir->nodes.size(), 1u);
  EXPECT_EQ(Hex(dir->nodes[0].bytes), "4d5654014c00");  // "MVT" 01 'L' count 0
  EXPECT_EQ(ToHex(dir->id), kEmptyDirId);
  EXPECT_EQ(dir->nodes[0].id, dir->id);
  EXPECT_EQ(dir->id, Sha256Of(dir->nodes[0].bytes));
}

TEST(TreeGolden, SmallLeaf) {
  auto dir = EncodeDirectory(SmallLeafEntries());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  ASSERT_EQ(dir->nodes.size(), 1u);
  EXPECT_EQ(Hex(dir->nodes[0].bytes), kSmallLeafHex);
  EXPECT_EQ(ToHex(dir->id), kSmallLeafId);
}

TEST(TreeGolden, ThousandEntriesShard) {
  auto dir = EncodeDirectory(ManyFiles(1000));
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(ToHex(dir->id), kThousandId);
  EXPECT_EQ(dir->nodes.size(), kThousandNodes);
  EXPECT_EQ(dir->nodes.back().id, dir->id);
  auto top = DecodeNode(dir->nodes.back().bytes);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  EXPECT_EQ(top->kind, DecodedNode::Kind::kShard);
  EXPECT_EQ(top->depth, 0);
  EXPECT_EQ(top->children.size(), 16u);
  size_t total = 0;
  for (size_t i = 0; i + 1 < dir->nodes.size(); ++i) {
    auto node = DecodeNode(dir->nodes[i].bytes);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    ASSERT_EQ(node->kind, DecodedNode::Kind::kLeaf);
    EXPECT_GT(node->entries.size(), 0u);
    EXPECT_LE(node->entries.size(), kMaxLeafEntries);
    for (const TreeEntry& e : node->entries) {
      EXPECT_EQ(NameNibble(e.name, 0), top->children[i].nibble) << e.name;
    }
    EXPECT_EQ(top->children[i].id, dir->nodes[i].id);
    total += node->entries.size();
  }
  EXPECT_EQ(total, 1000u);
}

TEST(Tree, SmallLeafDecodesToSortedEntries) {
  auto entries = SmallLeafEntries();
  auto dir = EncodeDirectory(entries);
  ASSERT_TRUE(dir.ok());
  auto node = DecodeNode(dir->nodes[0].bytes);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  std::sort(entries.begin(), entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.name < b.name; });
  EXPECT_EQ(node->kind, DecodedNode::Kind::kLeaf);
  EXPECT_EQ(node->entries, entries);
}

TEST(Tree, FieldsRoundTripIncludingLargeVarints) {
  std::vector<TreeEntry> entries;
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{16383},
                     uint64_t{16384}, uint64_t{1} << 32, uint64_t{1} << 63, ~uint64_t{0}}) {
    TreeEntry f = File("f" + std::to_string(v), "x");
    f.size = v;
    entries.push_back(f);
    TreeEntry d = testing::Dir("d" + std::to_string(v), Sha256Of(std::to_string(v)), v, v);
    entries.push_back(d);
  }
  entries.push_back(Symlink("long-link", std::string(4095, 'a')));
  auto dir = EncodeDirectory(entries);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto node = DecodeNode(dir->nodes[0].bytes);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  std::sort(entries.begin(), entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.name < b.name; });
  EXPECT_EQ(node->entries, entries);
}

TEST(Tree, AnyValidUtf8Name) {
  std::vector<TreeEntry> entries;
  for (std::string name : std::initializer_list<std::string>{
           "with space", "a+b", "100%", "%2F", "emoji-\xF0\x9F\x93\xA6",
           "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "tab\there", "-", "...", ".hidden",
           "back\\slash", std::string(255, 'n')}) {
    entries.push_back(File(name, name));
  }
  auto dir = EncodeDirectory(entries);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto node = DecodeNode(dir->nodes[0].bytes);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ(node->entries.size(), entries.size());
}

TEST(Tree, OrderDoesNotMatter) {
  auto entries = ManyFiles(3000);
  auto first = EncodeDirectory(entries);
  ASSERT_TRUE(first.ok());
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(entries.begin(), entries.end(), rng);
    auto again = EncodeDirectory(entries);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id, first->id);
    ASSERT_EQ(again->nodes.size(), first->nodes.size());
    for (size_t i = 0; i < first->nodes.size(); ++i) {
      EXPECT_EQ(again->nodes[i].bytes, first->nodes[i].bytes);
    }
  }
  auto small = SmallLeafEntries();
  std::reverse(small.begin(), small.end());
  EXPECT_EQ(ToHex(EncodeDirectory(small)->id), ToHex(EncodeDirectory(SmallLeafEntries())->id));
}

std::set<Sha256> NodeIds(const EncodedDirectory& dir) {
  std::set<Sha256> ids;
  for (const EncodedNode& n : dir.nodes) ids.insert(n.id);
  return ids;
}

size_t NewNodes(const EncodedDirectory& before, const EncodedDirectory& after) {
  std::set<Sha256> old = NodeIds(before);
  size_t count = 0;
  for (const EncodedNode& n : after.nodes) count += old.count(n.id) ? 0 : 1;
  return count;
}

TEST(Tree, OneChangeInAWideDirectoryRewritesOnlyItsPath) {
  auto entries = ManyFiles(5000);
  auto before = EncodeDirectory(entries);
  ASSERT_TRUE(before.ok());
  // 5000 entries: 16 shards at depth 0 (~312 each) are split again at depth 1.
  EXPECT_GT(before->nodes.size(), 200u);

  entries[1234] = File(entries[1234].name, "new contents");
  auto changed = EncodeDirectory(entries);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->id, before->id);
  EXPECT_LE(NewNodes(*before, *changed), 3u);
  EXPECT_EQ(changed->nodes.size(), before->nodes.size());

  entries.push_back(File("pkg-new.deb", "added"));
  auto added = EncodeDirectory(entries);
  ASSERT_TRUE(added.ok());
  EXPECT_LE(NewNodes(*changed, *added), 3u);

  entries.erase(entries.begin() + 17);
  auto removed = EncodeDirectory(entries);
  ASSERT_TRUE(removed.ok());
  EXPECT_LE(NewNodes(*added, *removed), 3u);
}

TEST(Tree, ShardBoundaryIsExactlyMaxLeafEntries) {
  auto at = EncodeDirectory(ManyFiles(kMaxLeafEntries));
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->nodes.size(), 1u);
  EXPECT_EQ(DecodeNode(at->nodes[0].bytes)->kind, DecodedNode::Kind::kLeaf);
  auto above = EncodeDirectory(ManyFiles(kMaxLeafEntries + 1));
  ASSERT_TRUE(above.ok());
  EXPECT_GT(above->nodes.size(), 1u);
  EXPECT_EQ(DecodeNode(above->nodes.back().bytes)->kind, DecodedNode::Kind::kShard);
}

TEST(Tree, NameNibbleIsTheHexDigitOfTheNameHash) {
  std::string hex = ToHex(Sha256Of("pool"));
  for (int depth = 0; depth < 64; ++depth) {
    int digit = hex[depth] <= '9' ? hex[depth] - '0' : hex[depth] - 'a' + 10;
    EXPECT_EQ(NameNibble("pool", depth), digit) << depth;
  }
}

TEST(TreeEncode, RejectsInvalidEntries) {
  auto bad = [](TreeEntry e) {
    auto r = EncodeDirectory({File("ok", "x"), std::move(e)});
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
    return r.ok() ? std::string() : r.status().message();
  };
  bad(File("", "x"));
  bad(File(".", "x"));
  bad(File("..", "x"));
  bad(File("a/b", "x"));
  bad(File("a\nb", "x"));
  bad(File("a\rb", "x"));
  bad(File(std::string("a\0b", 3), "x"));
  bad(File("\xC0\xAF", "x"));  // overlong '/'
  bad(File(std::string(256, 'n'), "x"));
  EXPECT_NE(bad(File("ok", "y")).find("\"ok\""), std::string::npos);  // duplicate
  TreeEntry dir = testing::Dir("d", Sha256Of("d"));
  dir.executable = true;
  bad(dir);
  dir = testing::Dir("d", Sha256Of("d"));
  dir.sha1[0] = 1;
  bad(dir);
  dir = testing::Dir("d", Sha256Of("d"));
  dir.target = "t";
  bad(dir);
  TreeEntry link = Symlink("l", "t");
  link.hash[3] = 1;
  bad(link);
  link = Symlink("l", "t");
  link.size = 1;
  bad(link);
  link = Symlink("l", "t");
  link.executable = true;
  bad(link);
  bad(Symlink("l", ""));
  bad(Symlink("l", "a\nb"));
  bad(Symlink("l", std::string(4096, 'a')));
  TreeEntry file = File("f", "x");
  file.file_count = 1;
  bad(file);
  file = File("f", "x");
  file.target = "t";
  bad(file);
}

// Hand-made nodes for the decoder's checks.
std::string Uvarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}

std::string FileEntryBytes(std::string_view name, std::string_view size_varint = "\x01") {
  std::string out = Uvarint(name.size());
  out += name;
  out += 'f';
  out += size_varint;
  out += std::string(52, '\x11');
  return out;
}

std::string Leaf(const std::vector<std::string>& entry_bytes) {
  std::string out("MVT\x01L", 5);
  out += Uvarint(entry_bytes.size());
  for (const auto& e : entry_bytes) out += e;
  return out;
}

std::string Shard(int depth, const std::vector<int>& nibbles) {
  std::string out("MVT\x01S", 5);
  out += static_cast<char>(depth);
  out += Uvarint(nibbles.size());
  for (int n : nibbles) {
    out += static_cast<char>(n);
    out += std::string(32, '\x22');
  }
  return out;
}

void ExpectCorrupt(std::string_view bytes, std::string_view want_in_message = "") {
  auto node = DecodeNode(bytes, "trees/ab/cd");
  ASSERT_FALSE(node.ok()) << "decoded: " << Hex(bytes);
  EXPECT_EQ(node.status().code(), StatusCode::kCorruption) << node.status().ToString();
  EXPECT_NE(node.status().message().find("trees/ab/cd"), std::string::npos);
  EXPECT_NE(node.status().message().find("at byte "), std::string::npos);
  EXPECT_NE(node.status().message().find(want_in_message), std::string::npos)
      << node.status().message();
}

TEST(TreeDecode, HandMadeNodesAreAccepted) {
  ASSERT_TRUE(DecodeNode(Leaf({FileEntryBytes("a"), FileEntryBytes("b")})).ok());
  ASSERT_TRUE(DecodeNode(Shard(0, {0, 5, 15})).ok());
  ASSERT_TRUE(DecodeNode(Shard(63, {7})).ok());
}

TEST(TreeDecode, RejectsEveryTruncation) {
  std::vector<std::string> valid = {EncodeDirectory(SmallLeafEntries())->nodes[0].bytes,
                                    EncodeDirectory(ManyFiles(300))->nodes.back().bytes};
  for (const std::string& bytes : valid) {
    ASSERT_TRUE(DecodeNode(bytes).ok());
    for (size_t n = 0; n < bytes.size(); ++n) {
      SCOPED_TRACE(n);
      ExpectCorrupt(std::string_view(bytes).substr(0, n));
    }
  }
}

TEST(TreeDecode, RejectsMalformedNodes) {
  ExpectCorrupt(Leaf({FileEntryBytes("a")}) + "x", "trailing");
  ExpectCorrupt("MVX\x01L\x00", "magic");
  ExpectCorrupt(std::string("MVT\x02L\x00", 6), "version 2");
  ExpectCorrupt(std::string("MVT\x01Q\x00", 6), "kind");
  ExpectCorrupt(Leaf({FileEntryBytes("b"), FileEntryBytes("a")}), "out of order");
  ExpectCorrupt(Leaf({FileEntryBytes("a"), FileEntryBytes("a")}), "twice");
  ExpectCorrupt(Leaf({FileEntryBytes("a\xFF")}), "UTF-8");
  ExpectCorrupt(Leaf({FileEntryBytes("a/b")}), "'/'");
  ExpectCorrupt(Leaf({FileEntryBytes("a\nb")}), "NUL");
  ExpectCorrupt(Leaf({FileEntryBytes("..")}), "reserved");
  ExpectCorrupt(Leaf({FileEntryBytes("")}), "length 0");
  // Non-minimal varints: a size of 1 as 0x81 0x00, a count of 1 as 0x81 0x00.
  ExpectCorrupt(Leaf({FileEntryBytes("a", std::string("\x81\x00", 2))}), "shortest");
  ExpectCorrupt(std::string("MVT\x01L\x81\x00", 7) + FileEntryBytes("a"), "shortest");
  ExpectCorrupt(Leaf({FileEntryBytes("a", std::string("\x80\x00", 2))}), "shortest");
  // Beyond 64 bits.
  ExpectCorrupt(Leaf({FileEntryBytes("a", std::string(9, '\xff') + "\x02")}), "64 bits");
  ExpectCorrupt(Leaf({FileEntryBytes("a", std::string(10, '\xff') + "\x01")}), "64 bits");
  {
    std::string max = FileEntryBytes("a", std::string(9, '\xff') + "\x01");
    auto node = DecodeNode(Leaf({max}));
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    EXPECT_EQ(node->entries[0].size, ~uint64_t{0});
  }
  // Too many entries for a leaf.
  std::vector<std::string> many;
  for (int i = 0; i < 257; ++i) many.push_back(FileEntryBytes(PackageName(i)));
  ExpectCorrupt(Leaf(many), "257 entries");
  // Entry types.
  std::string bad_type = FileEntryBytes("a");
  bad_type[2] = 'X';
  ExpectCorrupt(Leaf({bad_type}), "entry type");
  ExpectCorrupt(Leaf({std::string("\x01"
                                  "al\x00",
                                  4)}),
                "symlink target length 0");
  ExpectCorrupt(Leaf({std::string("\x01"
                                  "al\x03"
                                  "a\nb",
                                  7)}),
                "symlink target");
  // Shards.
  ExpectCorrupt(Shard(0, {3, 3}), "ascending");
  ExpectCorrupt(Shard(0, {4, 3}), "ascending");
  ExpectCorrupt(Shard(0, {16}), "nibble 16");
  ExpectCorrupt(Shard(64, {1}), "depth 64");
  ExpectCorrupt(Shard(0, {}), "0 children");
  ExpectCorrupt(Shard(0, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15}),
                "17 children");
  ExpectCorrupt(Shard(0, {1}) + std::string(1, '\0'), "trailing");
}

TEST(TreeDecode, NeverAcceptsASingleFlippedBitWithoutAValidReason) {
  // Every single-bit change of a valid node either fails to decode or decodes to a node that
  // re-encodes to exactly the changed bytes (a different but canonical node).
  std::string bytes = EncodeDirectory(SmallLeafEntries())->nodes[0].bytes;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string changed = bytes;
      changed[i] = static_cast<char>(changed[i] ^ (1 << bit));
      auto node = DecodeNode(changed);
      if (!node.ok()) continue;
      ASSERT_EQ(node->kind, DecodedNode::Kind::kLeaf);
      auto again = EncodeDirectory(node->entries);
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      ASSERT_EQ(again->nodes.size(), 1u);
      EXPECT_EQ(Hex(again->nodes[0].bytes), Hex(changed)) << "byte " << i << " bit " << bit;
    }
  }
}

}  // namespace
}  // namespace mv::archive
