// A virtio-rng device (VirtIO 1.2 §5.4) for the guest tests: it fills every buffer the driver
// posts with the next bytes of a seeded stream both sides know, so the test can check what
// the guest read from /dev/hwrng.
#pragma once

#include <cstdint>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>

namespace vgen::guest {

/// virtio-rng with one request queue of up to 64 entries and no configuration space.
class RngDevice final : public virtio::DeviceModel {
 public:
  explicit RngDevice(std::uint64_t seed) : seed_(seed) {}

  virtio::DeviceIdentity identity() const override { return {4, 0}; }
  std::uint64_t offered_features() const override;
  std::vector<std::uint32_t> queue_max_sizes() const override { return {64}; }
  void activate(virtio::DeviceCore& core) override { serve(core); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t) override { serve(core); }
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t) override { serve(core); }

  /// Stream bytes handed out so far.
  std::uint64_t produced() const noexcept { return position_; }

 private:
  void serve(virtio::DeviceCore& core);

  std::uint64_t seed_;
  std::uint64_t position_ = 0;  // next stream byte; kept across resets and rings restarts
};

}  // namespace vgen::guest
