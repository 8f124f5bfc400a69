#include "util/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace mv {
namespace {

using namespace std::chrono_literals;

TEST(LogLevelTest, ParseAndName) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("INFO"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("off"), LogLevel::kOff);
  auto bad = ParseLogLevel("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("\"verbose\""), std::string::npos);
  EXPECT_NE(bad.status().message().find("trace, debug, info, warn, error or off"),
            std::string::npos);
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kOff}) {
    EXPECT_EQ(*ParseLogLevel(LogLevelName(l)), l);
  }
}

TEST(FormatLogLineTest, LogfmtQuoting) {
  EXPECT_EQ(FormatLogLine("run committed", {{"archive", "debian"}, {"files", 1204}}),
            "msg=\"run committed\" archive=debian files=1204");
  EXPECT_EQ(FormatLogLine("x", {{"empty", ""}, {"eq", "a=b"}, {"q", "say \"hi\"\n\\"}}),
            "msg=x empty=\"\" eq=\"a=b\" q=\"say \\\"hi\\\"\\n\\\\\"");
  EXPECT_EQ(FormatLogLine("x", {{"ctl", std::string("a\x01", 2)}}), "msg=x ctl=\"a\\x01\"");
  EXPECT_EQ(FormatLogLine("x", {{"ok", true}, {"ratio", 0.5}, {"n", -3}, {"u", uint64_t{7}}}),
            "msg=x ok=true ratio=0.5 n=-3 u=7");
  EXPECT_EQ(FormatLogLine("x", {{"took", 90min}, {"err", NotFound("runs/a")}}),
            "msg=x took=1h30m err=\"not found: runs/a\"");
}

TEST(FormatLogLineTest, SecretsNeverAppear) {
  std::string line =
      FormatLogLine("opening postgresql://mv:hunter2@db/mv",
                    {{"store", "s3://b/p?endpoint=http://h&secret_key=hunter3"},
                     {"password", "hunter4"},
                     {"admin_token", "hunter5"},
                     {"err", Unavailable("GET https://b/k?X-Amz-Signature=hunter6: 503")}});
  for (std::string_view secret : {"hunter2", "hunter3", "hunter4", "hunter5", "hunter6"}) {
    EXPECT_EQ(line.find(secret), std::string::npos) << secret << " leaked: " << line;
  }
  EXPECT_NE(line.find("password=REDACTED"), std::string::npos) << line;
  EXPECT_NE(line.find("postgresql://mv:REDACTED@db/mv"), std::string::npos) << line;
}

// Points spdlog's default logger at a string for the test, and restores it after.
class LogCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(saved_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> saved_;
};

TEST_F(LogCaptureTest, LevelsFilter) {
  SetLogLevel(LogLevel::kWarn);
  EXPECT_EQ(GetLogLevel(), LogLevel::kWarn);
  EXPECT_FALSE(ShouldLog(LogLevel::kInfo));
  EXPECT_TRUE(ShouldLog(LogLevel::kError));
  LogInfo("hidden");
  LogWarn("shown", {{"k", 1}});
  LogError("also shown");
  EXPECT_EQ(out_.str(), "warning msg=shown k=1\nerror msg=\"also shown\"\n");

  out_.str("");
  SetLogLevel(LogLevel::kDebug);
  LogDebug("now visible");
  Log(LogLevel::kTrace, "still hidden");
  Log(LogLevel::kOff, "never");
  EXPECT_EQ(out_.str(), "debug msg=\"now visible\"\n");

  SetLogLevel(LogLevel::kOff);
  EXPECT_EQ(GetLogLevel(), LogLevel::kOff);
  LogError("silenced");
  EXPECT_EQ(out_.str(), "debug msg=\"now visible\"\n");
}

TEST_F(LogCaptureTest, BracesAreNotFormatDirectives) {
  SetLogLevel(LogLevel::kInfo);
  LogInfo("literal {} and {0}", {{"v", "{}"}});
  EXPECT_EQ(out_.str(), "info msg=\"literal {} and {0}\" v={}\n");
}

TEST(InitLoggingTest, SetsTheDefaultLoggerAndLevel) {
  auto saved = spdlog::default_logger();
  InitLogging(LogLevel::kError);
  EXPECT_EQ(GetLogLevel(), LogLevel::kError);
  EXPECT_EQ(spdlog::default_logger()->name(), "mirrorvault");
  InitLogging(LogLevel::kDebug);  // again: no "logger already exists"
  EXPECT_EQ(GetLogLevel(), LogLevel::kDebug);
  spdlog::set_default_logger(saved);
}

}  // namespace
}  // namespace mv
