#include "retention/candidate_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "util/hash.h"

namespace mv::retention {
namespace {

Candidate Make(int i, bool tree) {
  return {.id = mv::Sha256(std::to_string(i)), .size = uint64_t{1} << (i % 60), .tree = tree};
}

std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr ? t : std::filesystem::temp_directory_path().string();
}

TEST(CandidateFileTest, SectionsComeBackInSectionOrderInChunks) {
  Result<std::unique_ptr<CandidateFile>> file = CandidateFile::Create(TempDir());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  // Written out of order, as parallel listings finish; section 1 left empty.
  std::vector<Candidate> s2 = {Make(20, true), Make(21, true)};
  std::vector<Candidate> s0;
  for (int i = 0; i < 7; ++i) s0.push_back(Make(i, false));
  ASSERT_TRUE((*file)->WriteSection(2, s2).ok());
  ASSERT_TRUE((*file)->WriteSection(1, {}).ok());
  ASSERT_TRUE((*file)->WriteSection(0, s0).ok());
  EXPECT_EQ((*file)->count(), 9u);

  std::vector<Candidate> seen;
  std::vector<size_t> chunk_sizes;
  ASSERT_TRUE((*file)
                  ->ForEachChunk(3,
                                 [&](std::span<const Candidate> chunk) {
                                   chunk_sizes.push_back(chunk.size());
                                   seen.insert(seen.end(), chunk.begin(), chunk.end());
                                   return Status::Ok();
                                 })
                  .ok());
  EXPECT_EQ(chunk_sizes, (std::vector<size_t>{3, 3, 1, 2}));
  ASSERT_EQ(seen.size(), 9u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(seen[i].id, s0[i].id);
    EXPECT_EQ(seen[i].size, s0[i].size);
    EXPECT_FALSE(seen[i].tree);
  }
  EXPECT_EQ(seen[7].id, s2[0].id);
  EXPECT_TRUE(seen[7].tree);
  EXPECT_EQ(seen[8].size, s2[1].size);
}

TEST(CandidateFileTest, RecordsByNumberCoverTheFileOnceFromManyThreads) {
  Result<std::unique_ptr<CandidateFile>> file = CandidateFile::Create(TempDir());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  constexpr int kSections = 16, kEach = 1000;
  std::vector<std::thread> writers;
  for (int s = 0; s < kSections; ++s) {
    writers.emplace_back([&, s] {
      std::vector<Candidate> v;
      for (int i = 0; i < kEach; ++i) v.push_back(Make(s * kEach + i, s % 2 == 1));
      EXPECT_TRUE((*file)->WriteSection(s, v).ok());
    });
  }
  for (std::thread& t : writers) t.join();
  ASSERT_EQ((*file)->count(), uint64_t{kSections * kEach});
  std::set<archive::Sha256> ids;
  std::vector<Candidate> batch;
  for (uint64_t first = 0;; first += 999) {
    ASSERT_TRUE((*file)->ReadRecords(first, 999, batch).ok());
    if (batch.empty()) break;
    for (const Candidate& c : batch) ids.insert(c.id);
  }
  EXPECT_EQ(ids.size(), size_t{kSections * kEach});
  EXPECT_TRUE(ids.contains(Make(15999, true).id));
}

TEST(CandidateFileTest, ASectionWrittenTwiceAndAMissingFolderAreErrors) {
  Result<std::unique_ptr<CandidateFile>> file = CandidateFile::Create(TempDir());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<Candidate> one = {Make(1, false)};
  ASSERT_TRUE((*file)->WriteSection(0, one).ok());
  EXPECT_FALSE((*file)->WriteSection(0, one).ok());
  Result<std::unique_ptr<CandidateFile>> none = CandidateFile::Create("/nonexistent/folder");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("/nonexistent/folder"), std::string::npos);
  EXPECT_NE(none.status().message().find("TMPDIR"), std::string::npos);
}

TEST(CandidateFileTest, NothingIsLeftInTheFolder) {
  const std::string dir = TempDir() + "/candidate-file-test-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  {
    Result<std::unique_ptr<CandidateFile>> file = CandidateFile::Create(dir);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    std::vector<Candidate> one = {Make(1, false)};
    ASSERT_TRUE((*file)->WriteSection(0, one).ok());
    EXPECT_TRUE(std::filesystem::is_empty(dir));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mv::retention
