// Test support: both sides of one split virtqueue in one process, over the same rings in
// test memory, so that a test plays the driver and the device in turn without a transport.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <vgen/testing/guest_ram.hpp>
#include <vgen/virtqueue/split_device.hpp>
#include <vgen/virtqueue/split_driver.hpp>

namespace vgen::testing {

/// A SplitDriverQueue and a SplitDeviceQueue on the same rings. Not thread-safe.
class QueuePair {
 public:
  /// A queue of `size` entries with `features` negotiated, rings at the front of the memory.
  explicit QueuePair(std::uint32_t size = 8, virtqueue::RingFeatures features = {});

  /// The driver's and the device's side.
  virtqueue::SplitDriverQueue& driver() noexcept { return *driver_; }
  virtqueue::SplitDeviceQueue& device() noexcept { return *device_; }
  /// The memory both sides use.
  GuestRam& ram() noexcept { return ram_; }
  /// Where the rings are and what was negotiated.
  const virtqueue::QueueConfig& config() const noexcept { return config_; }

  /// Driver: copies `readable` into a fresh buffer, adds it with `writable_bytes` of room
  /// for the device, publishes; returns the head, or nothing when the table is full.
  std::optional<std::uint16_t> offer(std::span<const std::byte> readable, std::uint32_t writable_bytes,
                                     std::uint64_t token);
  /// Device: takes the next chain, or nothing.
  std::optional<virtqueue::DescriptorChain> take();
  /// Device: reads a chain's readable bytes.
  static std::vector<std::byte> read(const virtqueue::DescriptorChain& chain);
  /// Device: writes `reply` into the chain's writable part, returns it used and publishes.
  void complete(const virtqueue::DescriptorChain& chain, std::span<const std::byte> reply);
  /// Driver: reclaims the next used chain, or nothing.
  std::optional<virtqueue::UsedBuffer> reclaim() { return driver_->reclaim(); }

 private:
  GuestRam ram_;
  virtqueue::QueueConfig config_;
  std::optional<virtqueue::SplitDriverQueue> driver_;
  std::optional<virtqueue::SplitDeviceQueue> device_;
};

}  // namespace vgen::testing
