// A retention policy per archive (the [[archive]] section's `retention` table), with restic's and
// borg's rules and names:
//
//   [[archive]]
//   name = "debian"
//   [archive.retention]
//   keep_last = 10       # the 10 newest runs
//   keep_hourly = 24     # the newest run of each of the 24 newest hours that have runs
//   keep_daily = 7       # ... of each of the 7 newest days that have runs
//   keep_weekly = 4      # ... ISO weeks (Monday to Sunday)
//   keep_monthly = 12
//   keep_yearly = 5      # (-1 for any of these: every such period)
//   keep_within = "30d"  # every run less than 30 days older than the newest run
//   pin = ["20240229T000000Z"]  # always kept
//
// Periods are of UTC (a run id is a UTC time). The newest run is always kept. A run is kept when
// any rule keeps it; a policy with no rule keeps every run.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "util/config_value.h"
#include "util/run_id.h"
#include "util/status.h"

namespace mv::retention {

struct RetentionPolicy {
  // Per rule, how many runs or periods it keeps: 0 none, -1 every one.
  int keep_last = 0, keep_hourly = 0, keep_daily = 0, keep_weekly = 0, keep_monthly = 0,
      keep_yearly = 0;
  std::optional<std::chrono::milliseconds> keep_within;  // of the newest run
  std::vector<RunId> pin;
  // True when no rule is set: every run is kept.
  bool KeepsEverything() const;
};

// The `retention` table of an [[archive]] section; InvalidArgument names the file, line and key
// of a bad value or unknown key.
Result<RetentionPolicy> ParseRetentionPolicy(const ConfigValue& table);

// The policies of the configuration's [[archive]] sections that have a `retention` table, by
// archive name. InvalidArgument as ParseRetentionPolicy, or for a section without a name.
Result<std::vector<std::pair<std::string, RetentionPolicy>>> ConfiguredRetentionPolicies(
    const ConfigValue& document);

struct RetentionDecision {
  RunId run;
  bool keep = false;
  // Why it is kept, in rule order: "newest", "pinned", "last", "hourly", "daily", "weekly",
  // "monthly", "yearly", "within 30d"; empty when deleted.
  std::vector<std::string> reasons;
};

// What `policy` keeps of `runs` (any order, no duplicates): one decision per run, newest first.
std::vector<RetentionDecision> ApplyRetentionPolicy(std::vector<RunId> runs,
                                                    const RetentionPolicy& policy);

}  // namespace mv::retention
