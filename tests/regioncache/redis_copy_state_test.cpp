// The Redis state's refusals without a server: the error for an address where nothing listens
// names the URL, never the password.
#include "regioncache/redis_copy_state.h"

#include <gtest/gtest.h>

#include "support/status_assert.h"

namespace mv::regioncache {
namespace {

TEST(RedisCopyState, NothingListeningIsUnavailableNamingTheUrlNotThePassword) {
  auto s = OpenRedisCopyState("redis://:hunter2@127.0.0.1:1/2",
                              {.connect_timeout = std::chrono::milliseconds(500)});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().retryable()) << s.status().ToString();
  EXPECT_TRUE(s.status().code() == StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_NE(s.status().message().find("redis://127.0.0.1:1/2"), std::string::npos)
      << s.status().ToString();
  EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos) << s.status().ToString();
}

}  // namespace
}  // namespace mv::regioncache
