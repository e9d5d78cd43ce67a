// An in-process notifier that runs a callback at signal time, like a directly invoked
// interrupt handler; a waiter on a condition variable is woken as well.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include <vgen/notify/notifier.hpp>

namespace vgen::notify {

/// signal() runs the callback on the signalling thread, then marks a signal pending and wakes
/// wait(). When wait() returns true, the callback of that signal has finished.
class CallbackNotifier final : public Notifier {
 public:
  /// Throws notify::Error for an empty `callback`.
  explicit CallbackNotifier(std::function<void()> callback);

  /// Calls the callback synchronously, then wakes a waiter. Exceptions of the callback
  /// propagate to the caller and leave no signal pending.
  void signal() override;
  /// Waits on a condition variable for a pending signal.
  bool wait(std::chrono::nanoseconds timeout) override;

 private:
  std::function<void()> callback_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool pending_ = false;
};

}  // namespace vgen::notify
