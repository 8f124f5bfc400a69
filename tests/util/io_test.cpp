#include "util/io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "util/encoding.h"

namespace mv {
namespace {

class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mv-io-XXXXXX";
    int fd = ::mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
    std::ofstream(path_) << "0123456789";
  }
  void TearDown() override { ::unlink(path_.c_str()); }
  std::string path_;
};

TEST_F(FileReaderTest, ReadsARange) {
  auto reader = OpenFileReader(path_, 2, 5);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->Size(), 5u);
  std::string out;
  auto writer = MakeStringWriter(&out);
  EXPECT_EQ(*CopyStream(**reader, *writer), 5u);
  EXPECT_EQ(out, "23456");
}

TEST_F(FileReaderTest, RangesBeyondTheEndAreRejected) {
  EXPECT_EQ(OpenFileReader(path_, 11).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenFileReader(path_, 5, 6).status().code(), StatusCode::kInvalidArgument);
  // offset + length wraps around 64 bits: still beyond the end.
  EXPECT_EQ(OpenFileReader(path_, 10, UINT64_MAX - 5).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(OpenFileReader(path_, 10, 0).ok());
}

TEST_F(FileReaderTest, WritesAndReadsAtOffsets) {
  UniqueFd fd(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  ASSERT_TRUE(WriteAllAt(fd.get(), "abc", 12, "the test file").ok());  // past the end: a hole
  char got[5] = {};
  ASSERT_TRUE(ReadExactlyAt(fd.get(), got, 5, 8, "the test file").ok());
  EXPECT_EQ(std::string(got, 5), std::string("89\0\0a", 5));  // 10 and 11: the hole
  char more[4] = {};
  Status short_read = ReadExactlyAt(fd.get(), more, 4, 13, "the test file");
  EXPECT_EQ(short_read.code(), StatusCode::kCorruption);
  EXPECT_NE(short_read.message().find("the test file ended early"), std::string::npos);
  EXPECT_FALSE(WriteAllAt(-1, "x", 0, "nothing").ok());
}

TEST(Le64Test, RoundTripsLeastSignificantFirst) {
  char out[8];
  PutLe64(out, 0x0102030405060708ULL);
  EXPECT_EQ(std::string(out, 8), std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  EXPECT_EQ(GetLe64(out), 0x0102030405060708ULL);
  PutLe64(out, UINT64_MAX);
  EXPECT_EQ(GetLe64(out), UINT64_MAX);
}

}  // namespace
}  // namespace mv
