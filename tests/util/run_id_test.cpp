#include "util/run_id.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace mv {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;

RunId Id(std::string_view text) {
  auto r = RunId::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : RunId();
}

std::string ParseError(std::string_view text) {
  auto r = RunId::Parse(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // Every message names the text and the expected form.
  EXPECT_NE(r.status().message().find("\"" + std::string(text) + "\""), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("YYYYMMDDTHHMMSSZ"), std::string::npos)
      << r.status().message();
  return r.status().message();
}

TEST(RunIdTest, ParsesAndPrintsCanonicalForm) {
  RunId id = Id("20240229T153007Z");
  EXPECT_EQ(id.ToString(), "20240229T153007Z");
  sys_days day = std::chrono::year(2024) / std::chrono::February / 29;
  EXPECT_EQ(id.ToTimePoint(), day + 15h + 30min + 7s);
  std::ostringstream os;
  os << id;
  EXPECT_EQ(os.str(), "20240229T153007Z");
  EXPECT_EQ(RunId().ToString(), "19700101T000000Z");
  EXPECT_EQ(Id("19700101T000000Z").ToString(), "19700101T000000Z");
  EXPECT_EQ(Id("22611231T235959Z").ToString(), "22611231T235959Z");
  // The whole range converts to the system clock without overflow.
  std::chrono::system_clock::time_point last = Id("22611231T235959Z").ToTimePoint();
  EXPECT_EQ(RunId::FromTimePoint(last)->ToString(), "22611231T235959Z");
}

TEST(RunIdTest, TimePointRoundTripTruncatesToSeconds) {
  sys_days day = std::chrono::year(2031) / std::chrono::July / 4;
  auto t = std::chrono::system_clock::time_point(day + 1h + 2min + 3s) + 999ms;
  auto id = RunId::FromTimePoint(t);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->ToString(), "20310704T010203Z");
  EXPECT_EQ(id->ToTimePoint(), day + 1h + 2min + 3s);
  // Floors rather than rounding towards zero: 1ms before 1970 is 1969, outside the range.
  auto before = RunId::FromTimePoint(std::chrono::system_clock::time_point(-1ms));
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("year 1969 is not in 1970-2261"), std::string::npos)
      << before.status().message();
  sys_days far = std::chrono::year(2262) / std::chrono::January / 1;
  auto r = RunId::FromTimePoint(std::chrono::system_clock::time_point(far));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(RunIdTest, OrderingMatchesTimeAndText) {
  std::vector<std::string> texts = {"20240101T000000Z", "20231231T235959Z", "20240101T000001Z",
                                    "19991231T000000Z", "20240229T120000Z"};
  std::vector<RunId> ids;
  for (const auto& t : texts) ids.push_back(Id(t));
  std::sort(ids.begin(), ids.end());
  std::sort(texts.begin(), texts.end());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i].ToString(), texts[i]);
  EXPECT_LT(Id("20231231T235959Z"), Id("20240101T000000Z"));
  EXPECT_EQ(Id("20240101T000000Z"), Id("20240101T000000Z"));
  EXPECT_NE(Id("20240101T000000Z"), Id("20240101T000001Z"));
}

TEST(RunIdTest, LeapYears) {
  Id("20240229T000000Z");  // divisible by 4
  Id("20000229T000000Z");  // divisible by 400
  std::string m = ParseError("20230229T000000Z");
  EXPECT_NE(m.find("February 2023 has no day 29"), std::string::npos) << m;
  EXPECT_NE(m.find("not a leap year"), std::string::npos) << m;
  ParseError("21000229T000000Z");  // divisible by 100, not 400
}

TEST(RunIdTest, RejectsBadFieldsNamingThem) {
  EXPECT_NE(ParseError("20241301T000000Z").find("month 13"), std::string::npos);
  EXPECT_NE(ParseError("20240001T000000Z").find("month 00"), std::string::npos);
  EXPECT_NE(ParseError("20240231T000000Z").find("February 2024 has no day 31"), std::string::npos);
  EXPECT_NE(ParseError("20240431T000000Z").find("April 2024 has no day 31"), std::string::npos);
  EXPECT_NE(ParseError("20240100T000000Z").find("no day 00"), std::string::npos);
  EXPECT_NE(ParseError("20240101T240000Z").find("hour 24"), std::string::npos);
  EXPECT_NE(ParseError("20240101T236000Z").find("minute 60"), std::string::npos);
  EXPECT_NE(ParseError("20240101T235960Z").find("second 60"), std::string::npos);
  EXPECT_NE(ParseError("19691231T235959Z").find("year 1969 is not in 1970-2261"),
            std::string::npos);
  EXPECT_NE(ParseError("00240101T000000Z").find("year 24 "), std::string::npos);
  ParseError("22620101T000000Z");
}

TEST(RunIdTest, RejectsBadShapes) {
  EXPECT_NE(ParseError("20240101T00000Z").find("15 characters"), std::string::npos);
  EXPECT_NE(ParseError("20240101T0000000Z").find("17 characters"), std::string::npos);
  ParseError("");
  EXPECT_NE(ParseError("20240101t000000Z").find("character 9 is \"t\", expected \"T\""),
            std::string::npos);
  EXPECT_NE(ParseError("20240101T000000z").find("character 16"), std::string::npos);
  EXPECT_NE(ParseError("2024-1-01T00000Z").find("character 5 is \"-\", expected a digit"),
            std::string::npos);
  EXPECT_NE(ParseError("20240101 000000Z").find("is a space"), std::string::npos);
  EXPECT_NE(ParseError(std::string_view("20240101\0"
                                        "000000Z",
                                        16))
                .find("non-printable"),
            std::string::npos);
}

std::string Prefix(std::string_view text) {
  auto r = ParseTimestampPrefix(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? r->ToString() : "";
}

TEST(TimestampPrefixTest, LatestInstantCovered) {
  EXPECT_EQ(Prefix("2024"), "20241231T235959Z");
  EXPECT_EQ(Prefix("202402"), "20240229T235959Z");
  EXPECT_EQ(Prefix("202302"), "20230228T235959Z");
  EXPECT_EQ(Prefix("202404"), "20240430T235959Z");
  EXPECT_EQ(Prefix("20240229"), "20240229T235959Z");
  EXPECT_EQ(Prefix("20240229Z"), "20240229T235959Z");
  EXPECT_EQ(Prefix("20240229T15"), "20240229T155959Z");
  EXPECT_EQ(Prefix("20240229T1530"), "20240229T153059Z");
  EXPECT_EQ(Prefix("20240229T153007"), "20240229T153007Z");
  EXPECT_EQ(Prefix("20240229T153007Z"), "20240229T153007Z");
}

TEST(TimestampPrefixTest, Rejects) {
  for (std::string_view bad :
       {"", "Z", "202", "2024021", "20240230", "20231301", "20240229T", "20240229T1", "20240229T25",
        "20240229X15", "20240229T153060", "20240229T153007ZZ", "2024-02-29"}) {
    auto r = ParseTimestampPrefix(bad);
    EXPECT_FALSE(r.ok()) << bad << " parsed as " << (r.ok() ? r->ToString() : "");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("YYYYMMDD"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace mv
