#include <gtest/gtest.h>

#include <vgen/store/flow_control.hpp>

namespace vgen::store {
namespace {

using Clock = FlowControl::Clock;
using Ids = std::vector<ConnectionId>;
using std::chrono::milliseconds;

TEST(FlowControl, AProducerWaitsUntilEveryWatcherItWaitsForIsReleased) {
  FlowControl flow(milliseconds(100));
  const Clock::time_point now = Clock::now();
  flow.hold(1, 10, now);
  flow.hold(1, 11, now);
  EXPECT_TRUE(flow.waiting(1));
  EXPECT_TRUE(flow.holding(10));
  EXPECT_EQ(flow.release(10), Ids{});
  EXPECT_TRUE(flow.waiting(1));
  EXPECT_EQ(flow.release(11), Ids{1});
  EXPECT_FALSE(flow.waiting(1));
  EXPECT_FALSE(flow.holding(11));
}

TEST(FlowControl, AWatcherWithoutProgressStallsAfterTheTimeout) {
  FlowControl flow(milliseconds(100));
  const Clock::time_point start = Clock::now();
  flow.hold(1, 10, start);
  EXPECT_EQ(flow.stalled(start + milliseconds(99)), Ids{});
  EXPECT_EQ(flow.next_stall(start + milliseconds(40)), Clock::duration(milliseconds(60)));
  flow.progressed(10, start + milliseconds(50));
  EXPECT_EQ(flow.stalled(start + milliseconds(120)), Ids{});
  EXPECT_EQ(flow.stalled(start + milliseconds(150)), Ids{10});
  EXPECT_EQ(flow.next_stall(start + milliseconds(500)), Clock::duration::zero());
}

TEST(FlowControl, NobodyHeldMeansNoDeadline) {
  FlowControl flow(milliseconds(100));
  EXPECT_EQ(flow.next_stall(Clock::now()), std::nullopt);
  flow.hold(1, 10, Clock::now());
  flow.release(10);
  EXPECT_EQ(flow.next_stall(Clock::now()), std::nullopt);
}

TEST(FlowControl, ForgettingAWatcherResumesItsProducersAndAProducerLeavesItsWatchers) {
  FlowControl flow(milliseconds(100));
  const Clock::time_point now = Clock::now();
  flow.hold(1, 10, now);
  flow.hold(2, 10, now);
  flow.hold(2, 11, now);
  EXPECT_EQ(flow.forget(10), Ids({1}));  // 2 still waits for 11
  EXPECT_TRUE(flow.waiting(2));
  EXPECT_EQ(flow.forget(2), Ids{});
  EXPECT_FALSE(flow.holding(11));
  EXPECT_FALSE(flow.waiting(2));
}

}  // namespace
}  // namespace vgen::store
