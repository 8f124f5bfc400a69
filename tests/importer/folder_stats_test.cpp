// The stat cache's packed folder listings (importer/folder_stats.h): round trips, the compact
// version 2 and the version 1 that catalogs written before it still hold.
#include "importer/folder_stats.h"

#include <gtest/gtest.h>

#include <limits>

#include "util/varint.h"

namespace mv::importer {
namespace {

constexpr int64_t kNotRacy = std::numeric_limits<int64_t>::max();

// A Debian pool folder: names sharing the source's prefix, written within a second, inodes
// allocated together.
WalkedFolder PoolFolder() {
  WalkedFolder folder;
  const int64_t t = 1733400000123456789;
  const char* names[] = {"libxfoo-dev_1.2.3-4_amd64.deb", "libxfoo-dev_1.2.3-4_arm64.deb",
                         "libxfoo1_1.2.3-4_amd64.deb",    "libxfoo1_1.2.3-4_arm64.deb",
                         "libxfoo_1.2.3-4.debian.tar.xz", "libxfoo_1.2.3-4.dsc",
                         "libxfoo_1.2.3.orig.tar.xz"};
  uint64_t inode = 918273;
  for (const char* name : names) {
    folder.files.push_back({name,
                            {.size = 123456,
                             .mtime_ns = t + static_cast<int64_t>(inode % 7) * 1000,
                             .ctime_ns = t + 5000,
                             .inode = inode++,
                             .device = 2049}});
  }
  folder.files.back().stat.executable = true;
  folder.symlinks.push_back({"current", "libxfoo_1.2.3-4.dsc"});
  folder.subdirs = {"sub", "subsub"};
  return folder;
}

TEST(FolderStatsTest, RoundTripsEveryFileAndItsStatFields) {
  WalkedFolder folder = PoolFolder();
  std::string packed = PackFolderListing(folder, kNotRacy);
  auto files = UnpackListedFiles(packed, "pool/main/libx/libxfoo");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), folder.files.size());
  for (const WalkedFile& f : folder.files) EXPECT_EQ(files->at(f.name), f.stat) << f.name;
}

TEST(FolderStatsTest, ExtremeValuesRoundTrip) {
  WalkedFolder folder;
  folder.files.push_back({"a",
                          {.size = std::numeric_limits<uint64_t>::max(),
                           .mtime_ns = std::numeric_limits<int64_t>::min(),
                           .ctime_ns = std::numeric_limits<int64_t>::max() - 1,
                           .inode = std::numeric_limits<uint64_t>::max(),
                           .device = 0}});
  folder.files.push_back({"b", {.mtime_ns = -1, .ctime_ns = -2, .inode = 0, .device = ~0ull}});
  auto files = UnpackListedFiles(PackFolderListing(folder, kNotRacy), "x");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->at("a"), folder.files[0].stat);
  EXPECT_EQ(files->at("b"), folder.files[1].stat);
}

TEST(FolderStatsTest, AFileOfAPoolFolderPacksSmall) {
  WalkedFolder folder = PoolFolder();
  const size_t packed = PackFolderListing(folder, kNotRacy).size();
  // Version 1 took the whole name (about 27 bytes here) plus about 30 bytes of stat fields a
  // file: 58 a file, 447 bytes in all.
  EXPECT_LE(packed, 1 + folder.files.size() * 30 + 40) << packed << " bytes";
}

TEST(FolderStatsTest, RacyFilesAreLeftOutAndSaidSo) {
  WalkedFolder folder = PoolFolder();
  const int64_t import_started = folder.files[0].stat.ctime_ns + 1000000000;
  folder.files[3].stat.ctime_ns = import_started;  // changed as the import began
  bool racy = false;
  auto files = UnpackListedFiles(PackFolderListing(folder, import_started, &racy), "x");
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(racy);
  EXPECT_EQ(files->size(), folder.files.size() - 1);
  EXPECT_FALSE(files->contains(folder.files[3].name));
  EXPECT_EQ(files->at(folder.files[4].name), folder.files[4].stat);
}

TEST(FolderStatsTest, Version1ListingsStillUnpack) {
  std::string v1(1, '\x01');
  v1 += 'f';
  PutUvarint(v1, 5);
  v1 += "a.deb";
  for (uint64_t v : {uint64_t{10}, uint64_t{2000}, uint64_t{4000}, uint64_t{77}, uint64_t{9}}) {
    PutUvarint(v1, v);  // size, zigzag(1000), zigzag(2000), inode, device
  }
  v1 += 'd';
  PutUvarint(v1, 3);
  v1 += "sub";
  auto files = UnpackListedFiles(v1, "old");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->at("a.deb"),
            (FileStat{.size = 10, .mtime_ns = 1000, .ctime_ns = 2000, .inode = 77, .device = 9}));
}

TEST(FolderStatsTest, CorruptListingsNameTheFolderAndTheByte) {
  std::string packed = PackFolderListing(PoolFolder(), kNotRacy);
  for (size_t cut = 1; cut < packed.size(); cut += 7) {
    auto files = UnpackListedFiles(packed.substr(0, cut), "pool/main/libx/libxfoo");
    if (files.ok()) continue;  // a cut between entries is a shorter listing
    EXPECT_EQ(files.status().code(), StatusCode::kCorruption);
    EXPECT_NE(files.status().message().find("pool/main/libx/libxfoo"), std::string::npos);
    EXPECT_NE(files.status().message().find("at byte"), std::string::npos);
  }
  std::string bad = packed;
  bad[2] = '\x7f';  // the first entry's shared prefix: longer than the (empty) last name
  auto files = UnpackListedFiles(bad, "f");
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("shared prefix"), std::string::npos);
  EXPECT_FALSE(UnpackListedFiles(std::string("\x03", 1), "f").ok());
}

}  // namespace
}  // namespace mv::importer
