#include "util/run_id.h"

#include <array>
#include <cstdio>
#include <optional>
#include <ostream>

namespace mv {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 'D' stands for a digit; other characters stand for themselves.
constexpr std::string_view kPattern = "DDDDDDDDTDDDDDDZ";
constexpr std::string_view kRunIdForm = "expected YYYYMMDDTHHMMSSZ in UTC, e.g. 20240229T153000Z";
constexpr std::string_view kPrefixForm =
    "expected YYYY, YYYYMM, YYYYMMDD, YYYYMMDDTHH, YYYYMMDDTHHMM or YYYYMMDDTHHMMSS in UTC, "
    "optionally followed by Z";

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// The years std::chrono::system_clock (nanoseconds in 64 bits) can hold whole, from the first
// after the Unix epoch: no mirror predates 1970, and a year outside is a typo.
constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2261;

std::string YearRangeError(int year) {
  return "year " + std::to_string(year) + " is not in " + std::to_string(kMinYear) + "-" +
         std::to_string(kMaxYear);
}

struct Failure {
  std::string_view noun;  // "run id" or "timestamp"
  std::string_view form;
  std::string_view text;

  Status operator()(const std::string& why) const {
    return InvalidArgument("invalid " + std::string(noun) + " \"" + std::string(text) +
                           "\": " + why + " (" + std::string(form) + ")");
  }
};

// Checks text[0, n) against kPattern.
Status CheckPattern(std::string_view text, size_t n, const Failure& fail) {
  for (size_t i = 0; i < n; ++i) {
    char c = text[i];
    char want = kPattern[i];
    bool ok = want == 'D' ? (c >= '0' && c <= '9') : c == want;
    if (ok) continue;
    std::string got = c == ' '                   ? std::string("a space")
                      : (c >= 0x21 && c <= 0x7e) ? std::string("\"") + c + "\""
                                                 : std::string("a non-printable byte");
    std::string expected = want == 'D' ? "a digit" : std::string("\"") + want + "\"";
    std::string why = "character " + std::to_string(i + 1);
    why += " is " + got;
    why += ", expected " + expected;
    return fail(why);
  }
  return Status::Ok();
}

unsigned Digits(std::string_view text, size_t pos, size_t len) {
  unsigned v = 0;
  for (size_t i = pos; i < pos + len; ++i) v = v * 10 + static_cast<unsigned>(text[i] - '0');
  return v;
}

std::string Two(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02u", v % 100);
  return buf;
}

// Validates the fields and builds the instant. Absent fields take their largest value (the day
// its month's last day).
Result<RunId> Build(std::string_view text, const Failure& fail, size_t n) {
  std::chrono::year y{static_cast<int>(Digits(text, 0, 4))};
  if (int(y) < kMinYear || int(y) > kMaxYear) return fail(YearRangeError(int(y)));
  unsigned mo = n >= 6 ? Digits(text, 4, 2) : 12;
  if (mo < 1 || mo > 12) return fail("month " + Two(mo) + " is not in 01-12");
  std::chrono::year_month ym = y / std::chrono::month{mo};
  unsigned last_day = static_cast<unsigned>((ym / std::chrono::last).day());
  unsigned d = n >= 8 ? Digits(text, 6, 2) : last_day;
  if (d < 1 || d > last_day) {
    std::string why = std::string(kMonthNames[mo - 1]) + " " + std::to_string(int(y)) +
                      " has no day " + Two(d) + " (it has " + std::to_string(last_day) + " days";
    if (mo == 2 && d == 29) why += "; " + std::to_string(int(y)) + " is not a leap year";
    return fail(why + ")");
  }
  unsigned h = n >= 11 ? Digits(text, 9, 2) : 23;
  if (h > 23) return fail("hour " + Two(h) + " is not in 00-23");
  unsigned mi = n >= 13 ? Digits(text, 11, 2) : 59;
  if (mi > 59) return fail("minute " + Two(mi) + " is not in 00-59");
  unsigned s = n >= 15 ? Digits(text, 13, 2) : 59;
  if (s > 59) return fail("second " + Two(s) + " is not in 00-59 (leap seconds are not used)");
  std::chrono::sys_days day{ym / std::chrono::day{d}};
  return RunId::FromTimePoint(std::chrono::sys_seconds(day) + hours(h) + minutes(mi) + seconds(s));
}

}  // namespace

Result<RunId> RunId::Parse(std::string_view text) {
  Failure fail{"run id", kRunIdForm, text};
  if (text.size() != kLength) {
    return fail("it has " + std::to_string(text.size()) + " characters, not " +
                std::to_string(kLength));
  }
  MV_RETURN_IF_ERROR(CheckPattern(text, kLength, fail));
  return Build(text, fail, kLength - 1);
}

Result<RunId> RunId::FromTimePoint(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::floor<seconds>(t);
  auto day = std::chrono::floor<days>(secs);
  std::chrono::year_month_day ymd{day};
  if (int(ymd.year()) < kMinYear || int(ymd.year()) > kMaxYear) {
    return InvalidArgument("no run id for the instant " +
                           std::to_string(secs.time_since_epoch().count()) +
                           "s after 1970: " + YearRangeError(int(ymd.year())));
  }
  return RunId(secs);
}

std::string RunId::ToString() const {
  auto day = std::chrono::floor<days>(time_);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{time_ - day};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

std::ostream& operator<<(std::ostream& os, const RunId& id) { return os << id.ToString(); }

Result<RunId> ParseTimestampPrefix(std::string_view text) {
  Failure fail{"timestamp", kPrefixForm, text};
  std::string_view body = text;
  if (!body.empty() && body.back() == 'Z') body.remove_suffix(1);
  size_t n = body.size();
  if (n != 4 && n != 6 && n != 8 && n != 11 && n != 13 && n != 15) {
    return fail("it has " + std::to_string(text.size()) + " characters");
  }
  MV_RETURN_IF_ERROR(CheckPattern(body, n, fail));
  return Build(body, fail, n);
}

}  // namespace mv
