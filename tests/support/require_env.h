// Settings that scripts/test-services publishes for integration tests (MV_TEST_*). A missing
// variable fails the test: integration tests never skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace mv::testing {

inline std::string RequireEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set: start the servers with `scripts/test-services start` "
                  << "and run the tests through `scripts/run-tests` (or source .services/env)";
    return {};
  }
  return v;
}

}  // namespace mv::testing
