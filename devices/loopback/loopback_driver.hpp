// The driver side of the loopback sample, written against virtio::Transport so it runs over
// any transport: it initialises the device, keeps the receive queue full of buffers, sends
// messages on the transmit queue and hands received bytes to the caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include <vgen/shm/allocator.hpp>
#include <vgen/virtio/driver_core.hpp>

#include "loopback.hpp"

namespace vgen::loopback {

/// Sizes of a LoopbackDriver.
struct DriverOptions {
  std::uint32_t queue_size = 256;     ///< entries of each queue (a power of two)
  std::uint32_t receive_bytes = 256;  ///< size of each receive buffer
  std::uint32_t max_message = 512;    ///< largest message send() takes
  std::uint64_t features = kOfferedFeatures;  ///< features to ask for (VERSION_1 is always added)
};

/// One loopback driver. Single-threaded. Its rings and buffers are carved once from the
/// allocator and reused by every session (start() after stop()).
class LoopbackDriver {
 public:
  /// Receives the bytes of one used receive buffer.
  using Receiver = std::function<void(std::span<const std::byte>)>;

  /// Throws virtio::Error(InvalidArgument) for bad sizes, shm::Error if the allocator is
  /// too small. `transport`, `memory` and the allocator's area must outlive the driver.
  LoopbackDriver(virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator,
                 DriverOptions options = {});

  /// Initialises the device (§3.1.1) and fills the receive queue. Returns the features.
  std::uint64_t start();
  /// Places a message on the transmit queue without notifying; false if no slot is free.
  /// virtio::Error(InvalidArgument) for an empty message or one above max_message.
  bool queue_message(std::span<const std::byte> message);
  /// Notifies the device of queued messages (and re-posted receive buffers).
  void flush();
  /// Reclaims used buffers: received bytes go to `receiver` (in order), receive buffers are
  /// re-posted, transmit slots freed. Returns the number of used buffers reclaimed.
  std::size_t poll(const Receiver& receiver);
  /// Re-enables interrupts on both queues; true if used buffers are already waiting (poll
  /// before sleeping).
  bool arm_interrupts();
  /// Waits for an interrupt and handles it; false on timeout. virtio::Error(DeviceNeedsReset)
  /// when the device reports it.
  bool wait(std::chrono::nanoseconds timeout);
  /// The looped_bytes configuration field (needs kFeatureStats), read with the generation check.
  std::uint64_t looped_bytes();
  /// Clears the device's counter (needs kFeatureStatsReset).
  void reset_counter();
  /// §3.3: resets the device and takes back every buffer. Returns the detached tokens per
  /// queue (receive tokens are buffer numbers, transmit tokens slot numbers).
  virtio::DetachedBuffers stop();

  /// Transmit slots not in flight.
  std::size_t free_slots() const noexcept { return free_slots_.size(); }
  /// Number of transmit slots (queue_size / 2).
  std::size_t slots() const noexcept { return slot_count_; }
  /// The driver core (status, features, queues).
  virtio::DriverCore& core() noexcept { return core_; }

 private:
  shm::GuestAddress receive_buffer(std::uint64_t index) const noexcept;
  shm::GuestAddress slot(std::uint64_t index) const noexcept;
  void post_receive(std::uint64_t index);

  const shm::GuestMemory& memory_;
  DriverOptions options_;
  virtio::DriverCore core_;
  virtqueue::RingAddresses rings_[2];
  shm::GuestAddress receive_area_ = 0;
  shm::GuestAddress slot_area_ = 0;
  std::size_t slot_count_ = 0;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sent_ = 0;
  bool pending_kick_ = false;
};

}  // namespace vgen::loopback
