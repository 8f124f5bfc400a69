#include "retention/retention_policy.h"

#include <algorithm>
#include <functional>

#include "util/units.h"

namespace mv::retention {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// The period of a run for each calendar rule, as a number that differs between periods.
int64_t HourOf(const RunId& r) { return floor<hours>(r.ToTimePoint()).time_since_epoch().count(); }
int64_t DayOf(const RunId& r) { return floor<days>(r.ToTimePoint()).time_since_epoch().count(); }
// ISO weeks start on Monday; 1970-01-01 was a Thursday, so day 4 is the first Monday.
int64_t WeekOf(const RunId& r) {
  const int64_t day = DayOf(r) - 4;
  return day >= 0 ? day / 7 : (day - 6) / 7;
}
int64_t MonthOf(const RunId& r) {
  const year_month_day ymd{floor<days>(r.ToTimePoint())};
  return static_cast<int64_t>(static_cast<int>(ymd.year())) * 12 +
         static_cast<unsigned>(ymd.month());
}
int64_t YearOf(const RunId& r) {
  return static_cast<int>(year_month_day{floor<days>(r.ToTimePoint())}.year());
}

}  // namespace

bool RetentionPolicy::KeepsEverything() const {
  return keep_last == 0 && keep_hourly == 0 && keep_daily == 0 && keep_weekly == 0 &&
         keep_monthly == 0 && keep_yearly == 0 && !keep_within;
}

Result<RetentionPolicy> ParseRetentionPolicy(const ConfigValue& table) {
  if (!table.is_table()) return table.Error("must be a table of retention rules");
  MV_RETURN_IF_ERROR(table.CheckKeys({"keep_last", "keep_hourly", "keep_daily", "keep_weekly",
                                      "keep_monthly", "keep_yearly", "keep_within", "pin"}));
  RetentionPolicy policy;
  const std::pair<std::string_view, int*> counts[] = {
      {"keep_last", &policy.keep_last},       {"keep_hourly", &policy.keep_hourly},
      {"keep_daily", &policy.keep_daily},     {"keep_weekly", &policy.keep_weekly},
      {"keep_monthly", &policy.keep_monthly}, {"keep_yearly", &policy.keep_yearly}};
  for (const auto& [key, out] : counts) {
    if (const ConfigValue* v = table.Find(key)) {
      MV_ASSIGN_OR_RETURN(int64_t n, v->AsInteger(-1, 1'000'000));
      *out = static_cast<int>(n);
    }
  }
  if (const ConfigValue* v = table.Find("keep_within")) {
    MV_ASSIGN_OR_RETURN(std::chrono::milliseconds within, v->AsDuration());
    if (within.count() <= 0) return v->Error("must be a positive duration, such as \"30d\"");
    policy.keep_within = within;
  }
  if (const ConfigValue* v = table.Find("pin")) {
    MV_ASSIGN_OR_RETURN(std::vector<std::string> pins, v->AsStringList());
    for (const std::string& p : pins) {
      Result<RunId> id = RunId::Parse(p);
      if (!id.ok()) return v->Error("names \"" + p + "\", not a run id: " + id.status().message());
      policy.pin.push_back(*id);
    }
  }
  return policy;
}

Result<std::vector<std::pair<std::string, RetentionPolicy>>> ConfiguredRetentionPolicies(
    const ConfigValue& document) {
  std::vector<std::pair<std::string, RetentionPolicy>> out;
  MV_ASSIGN_OR_RETURN(std::vector<ConfigValue> sections, document.Sections("archive"));
  for (const ConfigValue& section : sections) {
    const ConfigValue* table = section.Find("retention");
    if (table == nullptr) continue;
    const ConfigValue* name = section.Find("name");
    if (name == nullptr) return section.Error("has a retention policy but no name");
    MV_ASSIGN_OR_RETURN(std::string archive, name->AsString());
    MV_ASSIGN_OR_RETURN(RetentionPolicy policy, ParseRetentionPolicy(*table));
    out.emplace_back(std::move(archive), std::move(policy));
  }
  return out;
}

std::vector<RetentionDecision> ApplyRetentionPolicy(std::vector<RunId> runs,
                                                    const RetentionPolicy& policy) {
  std::sort(runs.begin(), runs.end(), std::greater<>());
  std::vector<RetentionDecision> out;
  out.reserve(runs.size());
  for (const RunId& r : runs) out.push_back({r, false, {}});
  if (out.empty()) return out;
  const bool everything = policy.KeepsEverything();
  auto keep = [](RetentionDecision& d, std::string why) {
    d.keep = true;
    d.reasons.push_back(std::move(why));
  };
  keep(out.front(), "newest");
  for (RetentionDecision& d : out) {
    if (std::find(policy.pin.begin(), policy.pin.end(), d.run) != policy.pin.end()) {
      keep(d, "pinned");
    }
  }
  // Newest first: each rule keeps the first run it meets in each period, until it has kept as
  // many as it may (restic's forget).
  struct Rule {
    int count;
    const char* name;
    int64_t (*period)(const RunId&);
  };
  const Rule rules[] = {
      {policy.keep_last, "last", nullptr},       {policy.keep_hourly, "hourly", HourOf},
      {policy.keep_daily, "daily", DayOf},       {policy.keep_weekly, "weekly", WeekOf},
      {policy.keep_monthly, "monthly", MonthOf}, {policy.keep_yearly, "yearly", YearOf}};
  for (const Rule& rule : rules) {
    int left = rule.count;
    std::optional<int64_t> last_period;
    for (size_t i = 0; i < out.size() && left != 0; ++i) {
      if (rule.period != nullptr) {
        const int64_t period = rule.period(out[i].run);
        if (last_period && *last_period == period) continue;
        last_period = period;
      }
      keep(out[i], rule.name);
      if (left > 0) --left;
    }
  }
  if (policy.keep_within) {
    const auto newest = out.front().run.ToTimePoint();
    for (RetentionDecision& d : out) {
      if (newest - d.run.ToTimePoint() < *policy.keep_within) {
        keep(d, "within " + FormatDuration(*policy.keep_within));
      }
    }
  }
  if (everything) {
    for (RetentionDecision& d : out) {
      if (!d.keep) keep(d, "no rule");
    }
  }
  return out;
}

}  // namespace mv::retention
