#include "util/units.h"

#include <gtest/gtest.h>

namespace mv {
namespace {

using namespace std::chrono_literals;

uint64_t Size(std::string_view text) {
  auto r = ParseSize(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : 0;
}

std::string SizeError(std::string_view text) {
  auto r = ParseSize(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? *r : 0);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(ParseSizeTest, UnitsAndCase) {
  EXPECT_EQ(Size("0"), 0u);
  EXPECT_EQ(Size("4096"), 4096u);
  EXPECT_EQ(Size("12B"), 12u);
  EXPECT_EQ(Size("64MiB"), 64ULL << 20);
  EXPECT_EQ(Size("16mib"), 16ULL << 20);
  EXPECT_EQ(Size("16Mi"), 16ULL << 20);
  EXPECT_EQ(Size("500GB"), 500'000'000'000ULL);
  EXPECT_EQ(Size("500G"), 500'000'000'000ULL);
  EXPECT_EQ(Size("1KB"), 1000u);
  EXPECT_EQ(Size("1kib"), 1024u);
  EXPECT_EQ(Size("2TiB"), 2ULL << 40);
  EXPECT_EQ(Size("3PB"), 3'000'000'000'000'000ULL);
  EXPECT_EQ(Size("64 MiB"), 64ULL << 20);
  EXPECT_EQ(Size(" 8KiB "), 8192u);
}

TEST(ParseSizeTest, Fractions) {
  EXPECT_EQ(Size("1.5GiB"), 1610612736u);
  EXPECT_EQ(Size("0.5KiB"), 512u);
  EXPECT_EQ(Size("1.0001KB"), 1000u);  // rounded down to whole bytes
  EXPECT_EQ(Size("2.25MB"), 2'250'000u);
}

TEST(ParseSizeTest, RejectsWithTheTextAndTheExpectedForm) {
  std::string m = SizeError("64XB");
  EXPECT_NE(m.find("\"64XB\""), std::string::npos) << m;
  EXPECT_NE(m.find("unknown unit \"XB\""), std::string::npos) << m;
  EXPECT_NE(m.find("MiB"), std::string::npos) << m;
  SizeError("");
  SizeError("MiB");
  SizeError("-1MiB");
  SizeError("1.MiB");
  SizeError("1.5");  // fraction of a byte
  SizeError("64  MiB");
  SizeError("64MiBs");
  EXPECT_NE(SizeError("16EiB").find("unknown unit"), std::string::npos);
  EXPECT_NE(SizeError("99999999999999999999").find("too large"), std::string::npos);
  EXPECT_NE(SizeError("16384PiB").find("too large"), std::string::npos);
  EXPECT_EQ(Size("18446744073709551615"), UINT64_MAX);
}

TEST(FormatSizeTest, ExactAndRoundTrips) {
  EXPECT_EQ(FormatSize(0), "0B");
  EXPECT_EQ(FormatSize(64ULL << 20), "64MiB");
  EXPECT_EQ(FormatSize(500'000'000'000ULL), "500GB");
  EXPECT_EQ(FormatSize(12345), "12345B");
  EXPECT_EQ(FormatSize(1024000), "1000KiB");  // the smaller number of the two exact forms
  for (uint64_t n : std::initializer_list<uint64_t>{0ULL, 1ULL, 1000ULL, 1024ULL, 5ULL << 20,
                                                    123456789ULL, 3ULL << 50, UINT64_MAX}) {
    EXPECT_EQ(Size(FormatSize(n)), n) << n;
  }
}

TEST(FormatSizeTest, Human) {
  EXPECT_EQ(FormatSizeHuman(0), "0 B");
  EXPECT_EQ(FormatSizeHuman(1023), "1023 B");
  EXPECT_EQ(FormatSizeHuman(1536), "1.5 KiB");
  EXPECT_EQ(FormatSizeHuman(12'897'484), "12.3 MiB");
  EXPECT_EQ(FormatSizeHuman((1ULL << 20) - 1), "1.0 MiB");  // not "1024.0 KiB"
  EXPECT_EQ(FormatSizeHuman(UINT64_MAX), "16.0 EiB");
}

std::chrono::milliseconds Duration(std::string_view text) {
  auto r = ParseDuration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : 0ms;
}

std::string DurationError(std::string_view text) {
  auto r = ParseDuration(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r->count() : 0) << "ms";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(ParseDurationTest, Units) {
  EXPECT_EQ(Duration("30s"), 30s);
  EXPECT_EQ(Duration("6h"), 6h);
  EXPECT_EQ(Duration("7d"), 7 * 24h);
  EXPECT_EQ(Duration("2w"), 14 * 24h);
  EXPECT_EQ(Duration("500ms"), 500ms);
  EXPECT_EQ(Duration("90m"), 90min);
  EXPECT_EQ(Duration("1h30m"), 90min);
  EXPECT_EQ(Duration("1h 30m 15s"), 1h + 30min + 15s);
  EXPECT_EQ(Duration("0s"), 0ms);
  EXPECT_EQ(Duration("24H"), 24h);
}

TEST(ParseDurationTest, Rejects) {
  EXPECT_NE(DurationError("30").find("no unit"), std::string::npos);
  EXPECT_NE(DurationError("1.5h").find("90m"), std::string::npos);
  std::string m = DurationError("5y");
  EXPECT_NE(m.find("\"5y\""), std::string::npos) << m;
  EXPECT_NE(m.find("unknown unit \"y\""), std::string::npos) << m;
  DurationError("");
  DurationError("h");
  DurationError("-5s");
  DurationError("1h30");
  EXPECT_NE(DurationError("99999999999999999999s").find("too large"), std::string::npos);
  EXPECT_NE(DurationError("9999999999999999w").find("too large"), std::string::npos);
}

TEST(FormatDurationTest, CanonicalAndRoundTrips) {
  EXPECT_EQ(FormatDuration(0ms), "0s");
  EXPECT_EQ(FormatDuration(6h), "6h");
  EXPECT_EQ(FormatDuration(90min), "1h30m");
  EXPECT_EQ(FormatDuration(7 * 24h), "7d");
  EXPECT_EQ(FormatDuration(1500ms), "1s500ms");
  EXPECT_EQ(FormatDuration(-30s), "-30s");
  for (std::chrono::milliseconds d : std::initializer_list<std::chrono::milliseconds>{
           1ms, 59s, 25h + 1ms, std::chrono::milliseconds(INT64_MAX)}) {
    EXPECT_EQ(Duration(FormatDuration(d)), d) << d.count();
  }
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(INT64_MIN)).front(), '-');
}

}  // namespace
}  // namespace mv
