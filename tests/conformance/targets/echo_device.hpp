// A small device for the harness's own tests: one queue whose requests carry bytes in their
// readable part, which the device copies into the writable part. Without a flaw it follows
// every device rule; each flaw breaks one on purpose, so the check naming that rule must FAIL.
#pragma once

#include <cstdint>
#include <string>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/device_model.hpp>

namespace vgen::conform_targets {

/// The rule an echo device breaks.
enum class EchoFlaw {
  None,
  UsedLenBeyondBuffer,  ///< reports 100 bytes more than the writable part holds (§2.7.8.1)
  WritesReadable,       ///< scribbles over the request it read (§2.7.5.1)
  WritesDescriptor,     ///< clears the len of descriptors it used (§2.7.5.1)
  NeverNotifies,        ///< returns buffers without ever notifying (§2.7.7.2)
  SilentWithEventIdx,   ///< with EVENT_IDX negotiated, never notifies (§2.7.7.2)
  FirstSegmentOnly,     ///< reads only a request's first descriptor (§2.7.4.1)
  ReverseOrder,         ///< offers IN_ORDER but returns a batch last first (§6)
  BadUsedFlags,         ///< writes 2 into the used flags (§2.7.10.2)
  AbortOnLoop,          ///< crashes on a looping chain instead of rejecting it
  WedgedAfterError,     ///< after one bad request, never answers again, reset or not
};

/// The echo device model (device ID 0x7668).
class EchoDevice final : public virtio::DeviceModel {
 public:
  explicit EchoDevice(EchoFlaw flaw = EchoFlaw::None) : flaw_(flaw) {}

  virtio::DeviceIdentity identity() const override { return {0x7668, 0x7667}; }
  std::uint64_t offered_features() const override;
  /// Bit 2 requires bit 3 (neither is offered): a dependency for the feature checks to know.
  const virtio::FeatureRules& feature_rules() const override;
  std::vector<std::uint32_t> queue_max_sizes() const override { return {64}; }
  std::vector<std::byte> initial_config() const override { return std::vector<std::byte>(8); }
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override;
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t index) override { queue_notified(core, index); }
  void reset(virtio::DeviceCore& core) override;

 private:
  void serve(virtio::DeviceCore& core, virtqueue::DeviceQueue& queue);
  void answer(virtio::DeviceCore& core, const virtqueue::DescriptorChain& chain, virtqueue::DeviceQueue& queue);

  EchoFlaw flaw_;
  std::uint64_t answered_ = 0;
  bool wedged_ = false;
};

/// The echo pair: the device with `flaw` and its probe (16 bytes in, 64 bytes of room).
conform::VirtioTarget echo_target(const std::string& name, EchoFlaw flaw);

}  // namespace vgen::conform_targets
