// The retention rules on synthetic run ids: restic's and borg's semantics (newest first, one run
// per period, periods of UTC), the newest run always kept, pins, keep_within from the newest run.
#include "retention/retention_policy.h"

#include <gtest/gtest.h>

#include "util/toml_reader.h"

namespace mv::retention {
namespace {

RunId R(const char* text) { return RunId::Parse(text).value(); }

// "run:reason,reason" for kept runs and "run:-" for deleted ones, newest first.
std::vector<std::string> Apply(const std::vector<const char*>& runs, const RetentionPolicy& p) {
  std::vector<RunId> ids;
  for (const char* r : runs) ids.push_back(R(r));
  std::vector<std::string> out;
  for (const RetentionDecision& d : ApplyRetentionPolicy(ids, p)) {
    std::string why;
    for (const std::string& r : d.reasons) why += (why.empty() ? "" : ",") + r;
    out.push_back(d.run.ToString() + ":" + (d.keep ? why : "-"));
    EXPECT_EQ(d.keep, !d.reasons.empty());
  }
  return out;
}

TEST(RetentionPolicyTest, KeepLastKeepsTheNewestAndTheNewestIsAlwaysKept) {
  RetentionPolicy p{.keep_last = 2};
  EXPECT_EQ(Apply({"20240101T000000Z", "20240103T000000Z", "20240102T000000Z"}, p),
            (std::vector<std::string>{"20240103T000000Z:newest,last", "20240102T000000Z:last",
                                      "20240101T000000Z:-"}));
  // A policy whose rules keep nothing else still keeps the newest.
  RetentionPolicy daily{.keep_daily = 1};
  EXPECT_EQ(Apply({"20240101T000000Z", "20240102T000000Z"}, daily),
            (std::vector<std::string>{"20240102T000000Z:newest,daily", "20240101T000000Z:-"}));
}

TEST(RetentionPolicyTest, OneRunPerPeriodTheNewestInIt) {
  // Ties: three runs on one day, the newest of them is the day's.
  RetentionPolicy p{.keep_daily = 3};
  EXPECT_EQ(Apply({"20240105T060000Z", "20240105T120000Z", "20240105T180000Z", "20240104T235959Z",
                   "20240104T000000Z", "20240102T120000Z", "20240101T120000Z"},
                  p),
            (std::vector<std::string>{
                "20240105T180000Z:newest,daily", "20240105T120000Z:-", "20240105T060000Z:-",
                "20240104T235959Z:daily", "20240104T000000Z:-",
                // Days without runs do not count: the third day kept is the 2nd.
                "20240102T120000Z:daily", "20240101T120000Z:-"}));
}

TEST(RetentionPolicyTest, PeriodsAreOfUtcAndWeeksAreIsoWeeks) {
  // 23:30Z and 00:30Z the next day are two days (a run id is UTC, whatever the local zone).
  RetentionPolicy days{.keep_daily = 2};
  EXPECT_EQ(Apply({"20240301T003000Z", "20240229T233000Z", "20240229T120000Z"}, days),
            (std::vector<std::string>{"20240301T003000Z:newest,daily", "20240229T233000Z:daily",
                                      "20240229T120000Z:-"}));
  // Sunday 2024-03-10 and Monday 2024-03-11 are in two ISO weeks; Monday to Sunday is one.
  RetentionPolicy weeks{.keep_weekly = 2};
  EXPECT_EQ(Apply({"20240311T000000Z", "20240310T235959Z", "20240304T000000Z"}, weeks),
            (std::vector<std::string>{"20240311T000000Z:newest,weekly", "20240310T235959Z:weekly",
                                      "20240304T000000Z:-"}));
  // The week of 1970-01-01 (a Thursday) began on Monday 1969-12-29: Jan 1 and Jan 4 share it,
  // Jan 5 (Monday) begins the next.
  RetentionPolicy one_week{.keep_weekly = 3};
  EXPECT_EQ(Apply({"19700105T000000Z", "19700104T000000Z", "19700101T000000Z"}, one_week),
            (std::vector<std::string>{"19700105T000000Z:newest,weekly", "19700104T000000Z:weekly",
                                      "19700101T000000Z:-"}));
}

TEST(RetentionPolicyTest, RulesCombineAndEachNamesWhatItKept) {
  RetentionPolicy p{.keep_last = 1, .keep_hourly = 2, .keep_monthly = 2, .keep_yearly = -1};
  EXPECT_EQ(Apply({"20241231T230000Z", "20241231T224500Z", "20241231T210000Z", "20241130T000000Z",
                   "20241001T000000Z", "20231231T000000Z", "20220601T000000Z", "20220101T000000Z"},
                  p),
            (std::vector<std::string>{
                "20241231T230000Z:newest,last,hourly,monthly,yearly", "20241231T224500Z:hourly",
                "20241231T210000Z:-", "20241130T000000Z:monthly", "20241001T000000Z:-",
                // keep_yearly = -1: every year's newest run.
                "20231231T000000Z:yearly", "20220601T000000Z:yearly", "20220101T000000Z:-"}));
}

TEST(RetentionPolicyTest, KeepWithinCountsFromTheNewestRunAndPinsAlwaysHold) {
  RetentionPolicy p{.keep_within = std::chrono::hours(48), .pin = {R("20230101T000000Z")}};
  EXPECT_EQ(Apply({"20240110T000000Z", "20240108T000001Z", "20240108T000000Z", "20230101T000000Z",
                   "20220101T000000Z"},
                  p),
            (std::vector<std::string>{"20240110T000000Z:newest,within 2d",
                                      "20240108T000001Z:within 2d", "20240108T000000Z:-",
                                      "20230101T000000Z:pinned", "20220101T000000Z:-"}));
  // No rule at all: everything is kept.
  EXPECT_EQ(Apply({"20240102T000000Z", "20240101T000000Z"}, RetentionPolicy{}),
            (std::vector<std::string>{"20240102T000000Z:newest", "20240101T000000Z:no rule"}));
  EXPECT_TRUE(Apply({}, RetentionPolicy{.keep_last = 1}).empty());
}

TEST(RetentionPolicyTest, TheConfigTableIsParsedAndBadValuesAreNamed) {
  auto doc = ParseToml(R"(
[[archive]]
name = "debian"
[archive.retention]
keep_last = 3
keep_daily = 7
keep_yearly = -1
keep_within = "30d"
pin = ["20240229T000000Z"]

[[archive]]
name = "other"
)",
                       "test.toml");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto policies = ConfiguredRetentionPolicies(*doc);
  ASSERT_TRUE(policies.ok()) << policies.status().ToString();
  ASSERT_EQ(policies->size(), 1u);
  EXPECT_EQ((*policies)[0].first, "debian");
  const RetentionPolicy& p = (*policies)[0].second;
  EXPECT_EQ(p.keep_last, 3);
  EXPECT_EQ(p.keep_daily, 7);
  EXPECT_EQ(p.keep_yearly, -1);
  EXPECT_EQ(p.keep_within, std::chrono::hours(24 * 30));
  EXPECT_EQ(p.pin, (std::vector<RunId>{R("20240229T000000Z")}));

  for (const char* bad : {"keep_daily = \"seven\"", "keep_last = -2", "keep_within = \"0s\"",
                          "pin = [\"2024-02-29\"]", "keep_fortnightly = 2"}) {
    auto bad_doc = ParseToml(
        std::string("[[archive]]\nname = \"d\"\n[archive.retention]\n") + bad + "\n", "bad.toml");
    ASSERT_TRUE(bad_doc.ok()) << bad;
    auto parsed = ConfiguredRetentionPolicies(*bad_doc);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("bad.toml:4"), std::string::npos)
        << bad << ": " << parsed.status().ToString();
  }
}

}  // namespace
}  // namespace mv::retention
