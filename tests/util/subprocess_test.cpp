// RunProcess: exit codes, both streams, signals, a missing program and the output bound.
#include "util/subprocess.h"

#include <gtest/gtest.h>

namespace mv {
namespace {

TEST(RunProcess, CapturesBothStreamsAndTheExitCode) {
  auto run = RunProcess({"sh", "-c", "echo to-out; echo to-err >&2; exit 3"});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->out, "to-out\n");
  EXPECT_EQ(run->err, "to-err\n");
  auto killed = RunProcess({"sh", "-c", "kill -9 $$"});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->exit_code, 128 + 9);
  auto no_stdin = RunProcess({"cat"});
  ASSERT_TRUE(no_stdin.ok());
  EXPECT_EQ(no_stdin->out, "") << "stdin is /dev/null";
}

TEST(RunProcess, MissingProgramsAndFloodsAreErrors) {
  auto missing = RunProcess({"mirrorvault-no-such-program"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("mirrorvault-no-such-program is not installed"),
            std::string::npos);
  auto flood = RunProcess({"sh", "-c", "head -c 100000 /dev/zero"}, 1000);
  EXPECT_EQ(flood.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(flood.status().message().find("more than 1000 bytes"), std::string::npos);
  EXPECT_EQ(RunProcess({}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mv
