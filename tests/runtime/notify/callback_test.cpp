#include <vgen/notify/callback.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "timing.hpp"

namespace vgen::notify {
namespace {

using namespace std::chrono_literals;

TEST(CallbackNotifierTest, SignalRunsTheCallbackSynchronouslyOnTheSignallingThread) {
  int calls = 0;
  std::thread::id caller;
  CallbackNotifier notifier([&] {
    ++calls;
    caller = std::this_thread::get_id();
  });
  notifier.signal();
  EXPECT_EQ(calls, 1);  // already done when signal() returns
  EXPECT_EQ(caller, std::this_thread::get_id());
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_EQ(notifier.signals_sent(), 1u);
  EXPECT_EQ(notifier.pollable_fd(), -1);
}

TEST(CallbackNotifierTest, WaitTimesOut) {
  CallbackNotifier notifier([] {});
  const test::TimedWait result = test::timed_wait(notifier, 50ms);
  EXPECT_FALSE(result.signalled);
  EXPECT_GE(result.elapsed, 50ms);
  EXPECT_LT(result.elapsed, test::kPromptBound);
}

TEST(CallbackNotifierTest, SignalsCoalesceForWaitButEachRunsTheCallback) {
  int calls = 0;
  CallbackNotifier notifier([&] { ++calls; });
  notifier.signal();
  notifier.signal();
  notifier.signal();
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_FALSE(notifier.wait(10ms));
}

TEST(CallbackNotifierTest, WakesAWaiterInAnotherThreadAfterTheCallback) {
  std::atomic<int> calls{0};
  CallbackNotifier notifier([&] { calls.fetch_add(1); });
  int calls_seen_by_waiter = -1;
  std::thread waiter([&] {
    if (notifier.wait(test::kLongTimeout)) calls_seen_by_waiter = calls.load();
  });
  std::this_thread::sleep_for(30ms);
  notifier.signal();
  waiter.join();
  EXPECT_EQ(calls_seen_by_waiter, 1);
}

TEST(CallbackNotifierTest, ThrowingCallbackPropagatesAndLeavesNothingPending) {
  CallbackNotifier notifier([] { throw std::runtime_error("handler failed"); });
  EXPECT_THROW(notifier.signal(), std::runtime_error);
  EXPECT_FALSE(notifier.wait(0ns));
  EXPECT_EQ(notifier.signals_sent(), 0u);
}

TEST(CallbackNotifierTest, EmptyCallbackIsRejected) {
  EXPECT_THROW(CallbackNotifier(std::function<void()>{}), Error);
}

}  // namespace
}  // namespace vgen::notify
