// The CopyState conformance suite (tests/regioncache/copy_state_conformance.cpp), run on every
// implementation: the catalog on SQLite here (copy_state_catalog_test.cpp), Redis in
// tests/integration (copy_state_redis_test.cpp). An OBJECT library, so the linker keeps its
// TEST_P registrations.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "regioncache/copy_state.h"
#include "util/clock.h"

namespace mv::testing {

// Opens a state on one backend; every state it opens shares that backend, as server instances
// do. `clock` null: the system clock.
using CopyStateOpener = std::function<std::unique_ptr<regioncache::CopyState>(Clock* clock)>;

struct CopyStateFactory {
  std::string name;
  // A backend for one test (tests keep apart by region names of their own).
  std::function<CopyStateOpener()> backend;
  // AwaitChange waits for a message rather than polling: it blocks its whole timeout when
  // nothing changes.
  bool awaits_messages = false;
};

inline void PrintTo(const CopyStateFactory& f, std::ostream* os) { *os << f.name; }

class CopyStateConformance : public ::testing::TestWithParam<CopyStateFactory> {
 protected:
  // A backend that cannot open a state (a server not running, its URL not set) fails the test
  // here, with the opener's own message, rather than in the middle of it.
  void SetUp() override { ASSERT_NE(GetParam().backend()(nullptr), nullptr) << GetParam().name; }
};

}  // namespace mv::testing
