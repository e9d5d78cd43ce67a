// The encoded messages waiting to be written to one connection's socket (daemon-internal).
// Each message is released as soon as it is sent, so what the buffer holds is exactly what
// it counts (held()); writes gather many messages into one sendmsg().
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <deque>
#include <string>

namespace vgen::store {

class OutputBuffer {
 public:
  /// Appends one encoded message.
  void push(std::string encoded);
  /// Sends as much as the socket `fd` takes now. Returns the bytes sent (0 if it would
  /// block), or -1 with errno set on a socket error.
  ssize_t flush(int fd);
  /// Wire bytes not yet sent.
  std::size_t pending() const noexcept { return pending_; }
  /// Bytes counted as held: pending() plus kHeldOverhead per message (event_queue.hpp).
  std::size_t held() const noexcept;
  bool empty() const noexcept { return messages_.empty(); }

 private:
  std::deque<std::string> messages_;
  std::size_t offset_ = 0;  ///< bytes of the first message already sent
  std::size_t pending_ = 0;
};

}  // namespace vgen::store
