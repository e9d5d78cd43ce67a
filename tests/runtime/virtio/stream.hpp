// A checked byte stream for loopback tests: messages of varying length whose every byte is a
// function of its position in the stream, and a receiver that checks each byte, the order,
// and that no received buffer mixes two messages.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace vgen::test {

/// The byte at `position` of the stream.
inline std::byte stream_byte(std::uint64_t position) {
  return static_cast<std::byte>((position * 131 + (position >> 9) + 7) & 0xff);
}

/// Length of message `index`: 1 to `max` bytes.
inline std::uint32_t message_length(std::uint64_t index, std::uint32_t max) {
  return 1 + static_cast<std::uint32_t>((index * 7919 + (index >> 3)) % max);
}

/// Produces the messages in order.
class StreamSender {
 public:
  explicit StreamSender(std::uint32_t max_message) : max_(max_message) {}
  /// The next message's bytes (not consumed until commit()).
  const std::vector<std::byte>& peek() {
    if (pending_.empty()) {
      pending_.resize(message_length(messages_, max_));
      for (std::size_t i = 0; i < pending_.size(); ++i) pending_[i] = stream_byte(position_ + i);
    }
    return pending_;
  }
  /// The peeked message was sent.
  void commit() {
    position_ += pending_.size();
    ++messages_;
    pending_.clear();
  }
  std::uint64_t messages() const noexcept { return messages_; }
  std::uint64_t bytes() const noexcept { return position_; }

 private:
  std::uint32_t max_;
  std::uint64_t messages_ = 0;
  std::uint64_t position_ = 0;
  std::vector<std::byte> pending_;
};

/// Checks received buffers against the stream.
class StreamReceiver {
 public:
  explicit StreamReceiver(std::uint32_t max_message) : max_(max_message) {}
  void accept(std::span<const std::byte> data) {
    if (data.empty()) ++bad_buffers_;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (data[i] != stream_byte(position_)) ++bad_bytes_;
      ++position_;
      if (++offset_ == message_length(messages_, max_)) {
        ++messages_;
        offset_ = 0;
        if (i + 1 != data.size()) ++bad_buffers_;  // a buffer ran into the next message
      }
    }
  }
  std::uint64_t messages() const noexcept { return messages_; }
  std::uint64_t bytes() const noexcept { return position_; }
  std::uint64_t bad_bytes() const noexcept { return bad_bytes_; }
  std::uint64_t bad_buffers() const noexcept { return bad_buffers_; }

 private:
  std::uint32_t max_;
  std::uint64_t messages_ = 0;
  std::uint64_t position_ = 0;
  std::uint32_t offset_ = 0;
  std::uint64_t bad_bytes_ = 0;
  std::uint64_t bad_buffers_ = 0;
};

}  // namespace vgen::test
