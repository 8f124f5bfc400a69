// The CopyState conformance suite (tests/regioncache/copy_state_conformance.cpp) on the real
// Redis of scripts/test-services, and what only the Redis state has to survive: the server
// forgetting its scripts, and its connections being closed under it.
#include <gtest/gtest.h>

#include "redis/redis_client.h"
#include "regioncache/copy_state_conformance.h"
#include "regioncache/redis_copy_state.h"
#include "support/redis_test_env.h"
#include "support/status_assert.h"

namespace mv::testing {
namespace {

using regioncache::ClaimOutcome;

CopyStateOpener RedisBackend() {
  const std::string url = RedisTestUrl();
  return [url](Clock* clock) -> std::unique_ptr<regioncache::CopyState> {
    if (url.empty()) return nullptr;
    auto state = regioncache::OpenRedisCopyState(url, {.clock = clock});
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? std::move(*state) : nullptr;
  };
}

INSTANTIATE_TEST_SUITE_P(Redis, CopyStateConformance,
                         ::testing::Values(CopyStateFactory{
                             .name = "redis", .backend = RedisBackend, .awaits_messages = true}),
                         [](const auto& param_info) { return param_info.param.name; });

// An administrator's connection to the test server.
redis::RedisConnection Admin() {
  auto url = redis::ParseRedisUrl(RedisTestUrl());
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  auto c = redis::RedisConnection::Connect(*url, {});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : redis::RedisConnection();
}

std::string Region(const std::string& what) {
  return what + "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

TEST(RedisCopyState, ScriptsFlushedFromTheServerAreSentAgain) {
  auto state = RedisBackend()(nullptr);
  ASSERT_NE(state, nullptr);
  redis::RedisConnection admin = Admin();
  const std::string flush[] = {"SCRIPT", "FLUSH"};
  MV_ASSERT_OK(admin.Command(flush));
  const std::string region = Region("flushed");
  auto c = state->ClaimCopy(region, "blobs/k", "me");
  MV_ASSERT_OK(c);
  EXPECT_EQ(c->outcome, ClaimOutcome::kClaimed);
  MV_EXPECT_OK(state->CompleteCopy(region, "blobs/k", "me", 1, "", std::chrono::seconds(1)));
}

TEST(RedisCopyState, ConnectionsClosedByTheServerAreMadeAgain) {
  auto state = RedisBackend()(nullptr);
  ASSERT_NE(state, nullptr);
  const std::string region = Region("killed");
  MV_ASSERT_OK(state->ClaimCopy(region, "blobs/k", "me"));
  redis::RedisConnection admin = Admin();
  const std::string kill[] = {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"};
  auto killed = admin.Command(kill);
  MV_ASSERT_OK(killed);
  EXPECT_GE(killed->integer, 1);
  // The pooled connection is gone: a read is sent again on a new one.
  auto entry = state->Get(region, "blobs/k");
  MV_ASSERT_OK(entry);
  ASSERT_TRUE(entry->has_value());
  EXPECT_EQ((*entry)->owner, "me");
}

TEST(RedisCopyState, AWrongPasswordIsPermissionDenied) {
  auto url = redis::ParseRedisUrl(RedisTestUrl());
  MV_ASSERT_OK(url);
  auto state = regioncache::OpenRedisCopyState("redis://:wrong-secret@" + url->host + ":" +
                                               std::to_string(url->port) + "/0");
  ASSERT_FALSE(state.ok());
  EXPECT_TRUE(state.status().code() == StatusCode::kPermissionDenied) << state.status().ToString();
  EXPECT_EQ(state.status().message().find("wrong-secret"), std::string::npos);
}

}  // namespace
}  // namespace mv::testing
