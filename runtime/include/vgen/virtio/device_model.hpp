// What a device type contributes to the device side: its identity, features, queues and
// configuration space, and what it does with buffers. The generic rules (status machine,
// feature checks, queue life cycle, reset) live in DeviceCore, which calls these hooks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <vgen/virtio/features.hpp>

namespace vgen::virtio {

class DeviceCore;

/// The IDs a driver matches on (§5: device types; the vendor is transport-reported).
struct DeviceIdentity {
  std::uint32_t device_id = 0;  ///< VIRTIO_ID_* (0 is a placeholder and not allowed for a model)
  std::uint32_t vendor_id = 0;  ///< free for the implementer (virtio-mmio VendorID)
};

/// The behaviour of one device type. Every hook runs with the DeviceCore's lock held, on the
/// thread that made the register access (or called DeviceCore::run()); a hook may call the
/// DeviceCore's public functions. A vgen::Error thrown by activate(), queue_notified() or
/// queue_enabled() (e.g. virtqueue::Error on hostile ring contents) makes the core set
/// DEVICE_NEEDS_RESET (§2.1.2).
class DeviceModel {
 public:
  virtual ~DeviceModel() = default;

  /// Device and vendor ID.
  virtual DeviceIdentity identity() const = 0;
  /// The full 64-bit feature word offered: device-type bits plus reserved ones, which must
  /// include VIRTIO_F_VERSION_1 and stay within kSupportedReservedFeatures.
  virtual std::uint64_t offered_features() const = 0;
  /// Dependencies between this type's features (none by default).
  virtual const FeatureRules& feature_rules() const;
  /// Maximum size of each queue, by index; 0 marks a queue that is not available.
  virtual std::vector<std::uint32_t> queue_max_sizes() const = 0;
  /// The configuration space's size and initial bytes (empty by default).
  virtual std::vector<std::byte> initial_config() const { return {}; }

  /// A device-specific veto on an accepted feature set that already passed the generic
  /// checks: returns why it cannot work with `accepted`, or nullopt to accept (§2.2.2).
  virtual std::optional<std::string> check_features(std::uint64_t accepted) const;
  /// The driver wrote configuration bytes at `offset` (after FEATURES_OK, inside the space).
  /// Returns why the write is refused (the default: the space is read-only), or nullopt after
  /// applying it, e.g. with DeviceCore::update_config().
  virtual std::optional<std::string> config_written(DeviceCore& core, std::uint32_t offset,
                                                    std::span<const std::byte> bytes);

  /// DRIVER_OK was set: the queues that were ready are live (DeviceCore::queue()).
  virtual void activate(DeviceCore& core);
  /// The driver notified queue `index` (live, device running): take and return buffers.
  virtual void queue_notified(DeviceCore& core, std::uint16_t index) = 0;
  /// Queue `index` became live after DRIVER_OK (re-enabled after a queue reset).
  virtual void queue_enabled(DeviceCore& core, std::uint16_t index);
  /// Queue `index` stopped (queue reset, or QueueReady written 0): forget chains taken from it;
  /// its DeviceQueue is already gone.
  virtual void queue_stopped(DeviceCore& core, std::uint16_t index);
  /// The device was reset (§2.4): forget every chain and return to the initial state.
  virtual void reset(DeviceCore& core);
};

}  // namespace vgen::virtio
