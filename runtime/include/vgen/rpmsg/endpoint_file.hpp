// An endpoint used as a file descriptor, for poll/epoll loops: messages queue up behind an
// eventfd that is readable while one waits, the way an rpmsg endpoint character device works.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include <vgen/rpmsg/bus.hpp>

namespace vgen::rpmsg {

/// A message as a FileEndpoint keeps it.
struct QueuedMessage {
  std::uint32_t source = 0;        ///< the sender's address
  std::vector<std::byte> payload;  ///< a copy of the payload
};

/// An endpoint whose callback queues a copy of each message (up to `capacity`; more are
/// dropped and counted) and makes fd() readable. Whoever polls the bus fills the queue; any
/// thread may read it. Destroying the object destroys the endpoint.
class FileEndpoint {
 public:
  /// Binds an endpoint at `address` (dynamic for kAnyAddress) on `bus`; write() sends to
  /// `destination`. rpmsg::Error like Bus::create_endpoint(), InvalidConfig for a capacity of
  /// 0, System if the eventfd cannot be created.
  FileEndpoint(Bus& bus, std::uint32_t destination, std::uint32_t address = kAnyAddress, std::size_t capacity = 256);
  ~FileEndpoint();
  FileEndpoint(const FileEndpoint&) = delete;
  FileEndpoint& operator=(const FileEndpoint&) = delete;

  /// Readable (POLLIN/EPOLLIN) while at least one message waits. Owned by this object.
  int fd() const noexcept { return fd_; }
  /// The endpoint's address.
  std::uint32_t address() const noexcept { return endpoint_->address(); }
  /// The endpoint.
  Endpoint& endpoint() noexcept { return *endpoint_; }

  /// The oldest waiting message, or nullopt at once when none waits.
  std::optional<QueuedMessage> receive();
  /// Copies the oldest waiting message's payload into `out` (the rest of a longer one is
  /// discarded, as a datagram read does) and returns the payload's full length; nullopt
  /// when none waits. `source`, if given, receives the sender's address.
  std::optional<std::size_t> read(std::span<std::byte> out, std::uint32_t* source = nullptr);
  /// Sends `payload` to the destination, waiting up to `timeout` for a buffer.
  [[nodiscard]] bool write(std::span<const std::byte> payload, std::chrono::nanoseconds timeout);
  /// The same without waiting.
  [[nodiscard]] bool try_write(std::span<const std::byte> payload);

  /// Messages waiting.
  std::size_t pending() const;
  /// Messages dropped because the queue was full.
  std::uint64_t overflowed() const;

 private:
  void enqueue(std::span<const std::byte> payload, std::uint32_t source);

  Bus& bus_;
  std::uint32_t destination_;
  std::size_t capacity_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::deque<QueuedMessage> queue_;
  std::uint64_t overflowed_ = 0;
  Endpoint* endpoint_ = nullptr;
};

}  // namespace vgen::rpmsg
