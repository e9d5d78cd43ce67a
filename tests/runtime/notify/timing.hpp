// Timing helpers for the notifier tests. Bounds are generous: the machine is shared and
// the tests also run under sanitizers, so only gross failures (a lost wakeup that waits for
// the whole timeout) are caught, never mere slowness.
#pragma once

#include <chrono>
#include <thread>

#include <vgen/notify/notifier.hpp>

namespace vgen::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Long enough that a wait which ran into it means a wakeup was lost.
inline constexpr std::chrono::seconds kLongTimeout{20};
/// A wakeup that works arrives well before this.
inline constexpr std::chrono::seconds kPromptBound{5};

/// Result of one timed wait.
struct TimedWait {
  bool signalled;
  Clock::duration elapsed;
};

inline TimedWait timed_wait(notify::Notifier& notifier, std::chrono::nanoseconds timeout) {
  const Clock::time_point start = Clock::now();
  const bool signalled = notifier.wait(timeout);
  return TimedWait{signalled, Clock::now() - start};
}

/// Waits on `receiver` in a second thread while this one signals `sender` after a pause;
/// returns how the waiting thread fared. Both may be the same object.
inline TimedWait wake_from_other_thread(notify::Notifier& receiver, notify::Notifier& sender) {
  TimedWait result{false, {}};
  std::thread waiter([&] { result = timed_wait(receiver, kLongTimeout); });
  std::this_thread::sleep_for(30ms);  // let the waiter block first
  sender.signal();
  waiter.join();
  return result;
}

}  // namespace vgen::test
