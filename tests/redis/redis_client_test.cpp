// The Redis client's pure parts: redis:// URLs, and their refusals (never showing the password).
#include "redis/redis_client.h"

#include <gtest/gtest.h>

#include "support/status_assert.h"

namespace mv::redis {
namespace {

TEST(RedisUrl, ParsesHostPortDatabaseAndPassword) {
  auto u = ParseRedisUrl("redis://127.0.0.1:6380/3");
  MV_ASSERT_OK(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 3);
  EXPECT_EQ(u->password, "");
  auto d = ParseRedisUrl("redis://cache.internal");
  MV_ASSERT_OK(d);
  EXPECT_EQ(d->port, 6379);
  EXPECT_EQ(d->db, 0);
  auto p = ParseRedisUrl("redis://:s%40cret@[::1]:7000/0");
  MV_ASSERT_OK(p);
  EXPECT_EQ(p->password, "s@cret");
  EXPECT_EQ(p->user, "");
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->ToString(), "redis://[::1]:7000/0") << "never the password";
  auto acl = ParseRedisUrl("redis://mv:pw@h/1");
  MV_ASSERT_OK(acl);
  EXPECT_EQ(acl->user, "mv");
  EXPECT_EQ(acl->password, "pw");
}

TEST(RedisUrl, RefusesWhatItCannotUseWithoutShowingThePassword) {
  for (const char* bad : {"http://h:6379/0", "redis:///0", "redis://h/x", "redis://h/1/2",
                          "redis://h/-1", "redis://h:0/0", "redis://h/0?tls=1", "redis://u@h/0",
                          "rediss://h/0", "redis://:hunter2@h/notanumber",
                          // Found by the fuzzer: a host that prints as another host.
                          "redis://:hunter2@\xff\xff"
                          "7.0%07.0%0.10",
                          "redis://h%2Fx/0",
                          // Found by the fuzzer: a ':' decoded into a name, printed as [d0:ae].
                          "redis://d0%3ae"}) {
    auto u = ParseRedisUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_TRUE(u.status().code() == StatusCode::kInvalidArgument) << u.status().ToString();
    EXPECT_EQ(u.status().message().find("hunter2"), std::string::npos) << u.status().ToString();
  }
}

}  // namespace
}  // namespace mv::redis
