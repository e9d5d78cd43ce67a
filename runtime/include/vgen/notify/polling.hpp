// The notifier of a busy-polling receiver: nothing is delivered, the receiver looks at the
// ring whenever it likes. Only the signal count is kept, for statistics.
#pragma once

#include <chrono>

#include <vgen/notify/notifier.hpp>

namespace vgen::notify {

/// signal() only counts; wait() returns true at once so the receiver goes and polls.
class PollingNotifier final : public Notifier {
 public:
  /// Counts the signal; delivers nothing.
  void signal() override;
  /// Returns true immediately, whatever the timeout.
  bool wait(std::chrono::nanoseconds timeout) override;
};

}  // namespace vgen::notify
