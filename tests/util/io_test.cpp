#include "util/io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

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

}  // namespace
}  // namespace mv
