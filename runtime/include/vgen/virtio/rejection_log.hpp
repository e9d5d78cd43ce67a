// The device side's record of every driver action it refused: a register access of the wrong
// width, an undefined offset, a status write that clears a bit, a notification before
// DRIVER_OK. A conformance harness reads it to tell REJECT (refused, device alive) from FAIL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace vgen::virtio {

/// Thread-safe count and recent messages of rejected driver actions.
class RejectionLog {
 public:
  /// How many recent messages are kept.
  static constexpr std::size_t kKept = 64;

  /// Counts one rejection, keeps its message and passes it to the handler, if any.
  void record(const std::string& message);
  /// Rejections since construction or clear().
  std::uint64_t count() const;
  /// The last kKept messages, oldest first.
  std::vector<std::string> recent() const;
  /// The latest message, or "" when there was none.
  std::string last() const;
  /// Forgets the count and the messages.
  void clear();
  /// Called (on the rejecting thread, with the log unlocked) for each new rejection.
  void set_handler(std::function<void(const std::string&)> handler);

 private:
  mutable std::mutex mutex_;
  std::uint64_t count_ = 0;
  std::deque<std::string> recent_;
  std::function<void(const std::string&)> handler_;
};

}  // namespace vgen::virtio
