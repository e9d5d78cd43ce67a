// The device model as vhost-user presents it: the ring features the split virtqueue runtime
// implements for every device (INDIRECT_DESC, EVENT_IDX) are offered whatever the device type
// offers, and queue sizes are the front end's choice. Every other hook is the model's own.
#pragma once

#include <cstdint>
#include <vector>

#include <vgen/virtio/device_model.hpp>

namespace vgen::vhost_user {

/// Ring-level features this transport offers on top of the model's.
std::uint64_t transport_ring_features() noexcept;

/// Wraps a DeviceModel for vhost-user. In vhost-user the front end picks each ring's size
/// (there is no QueueNumMax), and QEMU's vhost-user-rng passes the guest's ring features
/// through unfiltered: so every available queue may take up to 32768 entries, and
/// INDIRECT_DESC and EVENT_IDX are offered (the split queue honours both). Everything else is
/// forwarded to the wrapped model unchanged.
class ModelAdapter final : public virtio::DeviceModel {
 public:
  /// `model` must outlive the adapter.
  explicit ModelAdapter(virtio::DeviceModel& model) : model_(model) {}

  /// The wrapped model.
  virtio::DeviceModel& model() noexcept { return model_; }

  virtio::DeviceIdentity identity() const override { return model_.identity(); }
  std::uint64_t offered_features() const override;
  const virtio::FeatureRules& feature_rules() const override { return model_.feature_rules(); }
  std::vector<std::uint32_t> queue_max_sizes() const override;
  std::vector<std::byte> initial_config() const override { return model_.initial_config(); }
  std::optional<std::string> check_features(std::uint64_t accepted) const override {
    return model_.check_features(accepted);
  }
  std::optional<std::string> config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                            std::span<const std::byte> bytes) override {
    return model_.config_written(core, offset, bytes);
  }
  void activate(virtio::DeviceCore& core) override { model_.activate(core); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override { model_.queue_notified(core, index); }
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t index) override { model_.queue_enabled(core, index); }
  void queue_stopped(virtio::DeviceCore& core, std::uint16_t index) override { model_.queue_stopped(core, index); }
  void reset(virtio::DeviceCore& core) override { model_.reset(core); }

 private:
  virtio::DeviceModel& model_;
};

}  // namespace vgen::vhost_user
