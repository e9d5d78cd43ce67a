#include <vgen/notify/handler_thread.hpp>

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include <vgen/notify/callback.hpp>
#include <vgen/notify/eventfd.hpp>
#include <vgen/notify/mailbox.hpp>
#include <vgen/notify/polling.hpp>
#include <vgen/shm/region.hpp>

#include "timing.hpp"

namespace vgen::notify {
namespace {

using namespace std::chrono_literals;
using test::Clock;

// Spins (with short sleeps) until `condition` holds or the prompt bound passes.
template <class Condition>
bool eventually(Condition condition) {
  const Clock::time_point deadline = Clock::now() + test::kPromptBound;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Sends one signal at a time and waits for the handler to have run for it, so coalescing
// cannot hide a missed call.
void expect_one_call_per_signal(Notifier& source) {
  std::atomic<int> calls{0};
  HandlerThread handler(source, [&] { calls.fetch_add(1); });
  for (int round = 1; round <= 5; ++round) {
    source.signal();
    // handled() counts a call once the handler has returned, so wait on it, then check
    // that the handler ran exactly once for this signal.
    ASSERT_TRUE(eventually([&] { return handler.handled() == static_cast<std::uint64_t>(round); }))
        << "round " << round;
    EXPECT_EQ(calls.load(), round);
  }
  handler.stop();
  EXPECT_FALSE(handler.running());
  source.signal();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(calls.load(), 5) << "handler ran after stop()";
}

TEST(HandlerThreadTest, RunsTheHandlerForEventfdSignals) {
  EventfdNotifier source;
  expect_one_call_per_signal(source);
}

TEST(HandlerThreadTest, ServesAMailboxLikeAnInterruptHandler) {
  shm::Region region = shm::Region::create("vgen-handler-test", 4096);
  MailboxNotifier source(new (region.data()) MailboxRegister{});
  expect_one_call_per_signal(source);
}

TEST(HandlerThreadTest, RunsTheHandlerForCallbackNotifierSignals) {
  CallbackNotifier source([] {});
  expect_one_call_per_signal(source);
}

TEST(HandlerThreadTest, PollingSourceCallsTheHandlerContinuously) {
  PollingNotifier source;
  std::atomic<int> calls{0};
  HandlerThread handler(source, [&] { calls.fetch_add(1); });
  EXPECT_TRUE(eventually([&] { return calls.load() >= 100; }));  // no signal needed
}

TEST(HandlerThreadTest, StopIsPromptAndIdempotent) {
  EventfdNotifier source;
  HandlerThread handler(source, [] {}, 20ms);
  EXPECT_TRUE(handler.running());
  const Clock::time_point start = Clock::now();
  handler.stop();
  EXPECT_LT(Clock::now() - start, test::kPromptBound);
  EXPECT_FALSE(handler.running());
  handler.stop();
}

TEST(HandlerThreadTest, DestructorJoinsWithoutStop) {
  EventfdNotifier source;
  std::atomic<int> calls{0};
  {
    HandlerThread handler(source, [&] { calls.fetch_add(1); });
    source.signal();
    ASSERT_TRUE(eventually([&] { return calls.load() == 1; }));
  }
  source.signal();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HandlerThreadTest, HandlerExceptionEndsTheThreadAndStopRethrowsIt) {
  EventfdNotifier source;
  HandlerThread handler(source, [] { throw std::runtime_error("device fault"); });
  source.signal();
  ASSERT_TRUE(eventually([&] { return !handler.running(); }));
  EXPECT_EQ(handler.handled(), 0u);
  try {
    handler.stop();
    FAIL() << "stop() did not rethrow";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "device fault");
  }
  EXPECT_NO_THROW(handler.stop());  // reported once
}

TEST(HandlerThreadTest, BadArgumentsAreRejected) {
  EventfdNotifier source;
  EXPECT_THROW(HandlerThread(source, std::function<void()>{}), Error);
  EXPECT_THROW(HandlerThread(source, [] {}, 0ns), Error);
  EXPECT_THROW(HandlerThread(source, [] {}, -1ms), Error);
}

}  // namespace
}  // namespace vgen::notify
