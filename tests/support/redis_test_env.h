// The Redis server the integration tests use, as scripts/test-services describes it in the
// environment: MV_TEST_REDIS_URL (redis://127.0.0.1:PORT/0, no persistence). A missing variable
// fails the test: integration tests never skip. Tests keep apart by key names of their own.
#pragma once

#include <string>

#include "support/require_env.h"

namespace mv::testing {

inline std::string RedisTestUrl() { return RequireEnv("MV_TEST_REDIS_URL"); }

}  // namespace mv::testing
