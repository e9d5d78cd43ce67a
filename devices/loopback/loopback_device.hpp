// The device side of the loopback sample: a DeviceModel that copies each transmit chain's
// readable bytes into receive chains, holding a message back while no receive buffer is free.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>

#include "loopback.hpp"

namespace vgen::loopback {

/// One loopback device. A message (a transmit chain) goes into one receive chain if it fits,
/// else into as many as it needs; a receive chain never carries bytes of two messages.
class LoopbackDevice final : public virtio::DeviceModel {
 public:
  /// Both queues get `queue_size` (a power of two) as their maximum.
  explicit LoopbackDevice(std::uint32_t queue_size = 256) : queue_size_(queue_size) {}

  virtio::DeviceIdentity identity() const override { return {kDeviceId, kVendorId}; }
  std::uint64_t offered_features() const override { return kOfferedFeatures; }
  const virtio::FeatureRules& feature_rules() const override { return loopback::feature_rules(); }
  std::vector<std::uint32_t> queue_max_sizes() const override { return {queue_size_, queue_size_}; }
  std::vector<std::byte> initial_config() const override { return std::vector<std::byte>(kConfigBytes); }
  std::optional<std::string> config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                            std::span<const std::byte> bytes) override;

  void activate(virtio::DeviceCore& core) override { pump(core); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t) override { pump(core); }
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t) override { pump(core); }
  void queue_stopped(virtio::DeviceCore& core, std::uint16_t index) override;
  void reset(virtio::DeviceCore& core) override;

  /// Bytes and messages looped back since the last reset (read under the core's lock, or
  /// when the device is idle).
  std::uint64_t looped_bytes() const noexcept { return looped_bytes_; }
  std::uint64_t looped_messages() const noexcept { return looped_messages_; }

 private:
  void pump(virtio::DeviceCore& core);
  void move(virtio::DeviceCore& core, virtqueue::DeviceQueue& receive, virtqueue::DeviceQueue& transmit);
  void publish_counter(virtio::DeviceCore& core);

  std::uint32_t queue_size_;
  virtqueue::DescriptorChain transmit_chain_;
  virtqueue::DescriptorChain receive_chain_;
  std::optional<virtqueue::ChainReader> reader_;  // over transmit_chain_ while a message is pending
  std::uint64_t looped_bytes_ = 0;
  std::uint64_t looped_messages_ = 0;
};

}  // namespace vgen::loopback
