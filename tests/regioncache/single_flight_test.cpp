// SingleFlight: one fill per key however many join it, each key its own fill, and a key asked
// again after its answer filled again (a retry after a failure).
#include "regioncache/single_flight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "support/status_assert.h"

namespace mv::regioncache {
namespace {

TEST(SingleFlight, OneFillPerKeyWhileInFlightAndAgainAfterTheAnswer) {
  SingleFlight flights(4);
  std::atomic<int> fills{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto fill = [&] {
    ++fills;
    released.wait();
    return Status::Ok();
  };
  SingleFlight::Flight first = flights.Join("r/a", fill);
  SingleFlight::Flight second = flights.Join("r/a", fill);
  SingleFlight::Flight other = flights.Join("r/b", fill);
  EXPECT_FALSE(first.joined);
  EXPECT_TRUE(second.joined);
  EXPECT_FALSE(other.joined);
  release.set_value();
  MV_EXPECT_OK(first.done.get());
  MV_EXPECT_OK(second.done.get());
  MV_EXPECT_OK(other.done.get());
  EXPECT_EQ(fills.load(), 2);

  SingleFlight::Flight again = flights.Join("r/a", [] { return Unavailable("down"); });
  EXPECT_FALSE(again.joined);
  EXPECT_TRUE(again.done.get().code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mv::regioncache
