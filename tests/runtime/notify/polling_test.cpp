#include <vgen/notify/polling.hpp>

#include <gtest/gtest.h>

#include "timing.hpp"

namespace vgen::notify {
namespace {

using namespace std::chrono_literals;

TEST(PollingNotifierTest, WaitReturnsAtOnceEvenWithoutSignal) {
  PollingNotifier notifier;
  const test::TimedWait result = test::timed_wait(notifier, test::kLongTimeout);
  EXPECT_TRUE(result.signalled);
  EXPECT_LT(result.elapsed, test::kPromptBound);
  EXPECT_EQ(notifier.pollable_fd(), -1);
}

TEST(PollingNotifierTest, SignalOnlyCounts) {
  PollingNotifier notifier;
  notifier.signal();
  notifier.signal();
  EXPECT_EQ(notifier.signals_sent(), 2u);
  EXPECT_TRUE(notifier.wait(0ns));
  EXPECT_TRUE(notifier.wait(0ns));  // nothing is consumed: the receiver always polls
}

TEST(PollingNotifierTest, CountsSignalsFromSeveralThreads) {
  PollingNotifier notifier;
  std::vector<std::thread> senders;
  for (int i = 0; i < 4; ++i) {
    senders.emplace_back([&] {
      for (int n = 0; n < 1000; ++n) notifier.signal();
    });
  }
  for (std::thread& sender : senders) sender.join();
  EXPECT_EQ(notifier.signals_sent(), 4000u);
}

}  // namespace
}  // namespace vgen::notify
