#include "http/http_date.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace mv::http {
namespace {

TEST(HttpDateTest, ParsesAndFormatsImfFixdate) {
  auto t = ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 784111777);
  EXPECT_EQ(FormatHttpDate(*t), "Sun, 06 Nov 1994 08:49:37 GMT");
  auto leap = ParseHttpDate("Thu, 29 Feb 2024 23:59:59 GMT");
  ASSERT_TRUE(leap.ok()) << leap.status().ToString();
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*leap), 1709251199);
}

// Found by fuzz/http_date_fuzzer: a year outside what system_clock holds overflowed its
// nanoseconds (undefined behaviour); days and times that do not exist were silently moved.
TEST(HttpDateTest, RejectsOutOfRangeAndImpossibleDates) {
  for (const char* text : {"Fri, 01 Jan 1012 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                           "Sat, 01 Jan 2263 00:00:00 GMT", "Fri, 30 Feb 2024 00:00:00 GMT",
                           "Wed, 29 Feb 2023 00:00:00 GMT", "Thu, 29 Feb 2024 23:59:60 GMT",
                           "Sun, 06 Nov 1994", "Sunday, 06-Nov-94 08:49:37 GMT", ""}) {
    auto t = ParseHttpDate(text);
    EXPECT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
  }
  EXPECT_FALSE(ParseHttpDate(std::string("Sun, 06 Nov 1994 08:49:37 GMT\0junk", 34)).ok());
}

}  // namespace
}  // namespace mv::http
