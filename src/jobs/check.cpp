#include "jobs/check.h"

#include <algorithm>
#include <cmath>

#include "util/units.h"

namespace mv::jobs {

std::optional<int64_t> Median(std::vector<int64_t> days) {
  if (days.empty()) return std::nullopt;
  std::sort(days.begin(), days.end());
  return days[(days.size() - 1) / 2];
}

CheckResult EvaluateCheck(const CheckInput& in, const CheckThresholds& t) {
  const std::optional<int64_t> median = Median(in.baseline_days);
  const int64_t baseline = std::max(median.value_or(0), t.floor);
  const auto warn = static_cast<int64_t>(std::ceil(t.warn_factor * static_cast<double>(baseline)));
  const auto crit = static_cast<int64_t>(std::ceil(t.crit_factor * static_cast<double>(baseline)));
  int code = 0;
  std::string why;
  auto raise = [&](int level) { code = std::max(code, level); };
  if (in.failed_archives >= crit && in.failed_archives > 0) {
    raise(2);
  } else if (in.failed_archives >= warn && in.failed_archives > 0) {
    raise(1);
  }
  why = std::to_string(in.failed_archives) + " failed archive" +
        (in.failed_archives == 1 ? "" : "s") + " (baseline " +
        (median ? std::to_string(*median) : std::string("none yet")) + ", warn at " +
        std::to_string(warn) + ", critical at " + std::to_string(crit) + ")";

  std::vector<std::string> stale_warn, stale_crit;
  for (const CheckInput::Archive& a : in.archives) {
    if (!a.last_success && !a.first_seen) continue;
    const TimePoint since = a.last_success ? *a.last_success : *a.first_seen;
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(in.now - since);
    const std::string text = a.name + " (" +
                             (a.last_success ? "last success " + FormatDuration(age) + " ago"
                                             : std::string("never successful")) +
                             ")";
    if (age >= t.max_age_crit) {
      stale_crit.push_back(text);
    } else if (age >= t.max_age) {
      stale_warn.push_back(text);
    }
  }
  if (!stale_crit.empty()) raise(2);
  if (!stale_warn.empty()) raise(1);
  const size_t stale = stale_crit.size() + stale_warn.size();
  if (stale > 0) {
    why += "; " + std::to_string(stale) + " stale: ";
    std::vector<std::string> all = stale_crit;
    all.insert(all.end(), stale_warn.begin(), stale_warn.end());
    for (size_t i = 0; i < all.size() && i < 5; ++i) why += (i ? ", " : "") + all[i];
    if (all.size() > 5) why += ", ...";
  }
  static constexpr const char* kNames[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  char lag[32];
  std::snprintf(lag, sizeof lag, "%.1fs", std::chrono::duration<double>(in.queue_lag).count());
  CheckResult r;
  r.exit_code = code;
  r.line = std::string("MIRRORVAULT ") + kNames[code] + " - " + why +
           " | failed_archives=" + std::to_string(in.failed_archives) + ";" + std::to_string(warn) +
           ";" + std::to_string(crit) + ";0 baseline=" + std::to_string(baseline) +
           " stale_archives=" + std::to_string(stale) +
           ";;;0 archives=" + std::to_string(in.archives.size()) + ";;;0 queue_lag=" + lag + ";;;0";
  return r;
}

}  // namespace mv::jobs
