// rpmsg on vgen's VirtIO device model: the host as a virtio bus driver for device ID 7 and
// the remote as a device model, so an rpmsg pair runs over any vgen transport (in-process,
// virtio-mmio) and the virtio bus matches it like any other device. Both only translate: the
// rpmsg work stays in Bus, HostLink and RemoteLink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <vgen/rpmsg/bus.hpp>
#include <vgen/rpmsg/host_link.hpp>
#include <vgen/rpmsg/remote_link.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/virtio/bus.hpp>
#include <vgen/virtio/device_model.hpp>
#include <vgen/virtio/features.hpp>

namespace vgen::rpmsg {

/// Features both sides offer or ask for: VERSION_1, EVENT_IDX and VIRTIO_RPMSG_F_NS.
inline constexpr std::uint64_t kVirtioFeatures = virtio::kFeatureVersion1Mask |
                                                 virtio::feature_bit(virtqueue::kFeatureEventIdx) |
                                                 virtio::feature_bit(kFeatureNameService);
/// Vendor ID the remote model reports ("vgen").
inline constexpr std::uint32_t kVirtioVendorId = 0x6e656776;

/// Settings of the host driver.
struct VirtioHostOptions {
  std::uint32_t queue_size = 256;                  ///< entries per queue = buffers per direction
  std::uint32_t buffer_size = kDefaultBufferSize;  ///< bytes per buffer
  BusOptions bus;                                  ///< name_service follows the negotiated F_NS
  std::function<void(Bus&)> on_bus;                ///< runs after each probe (register rpmsg drivers)
};

/// The rpmsg host as a virtio bus driver. probe() initialises the device through its
/// transport (§3.1.1), stocks the receive queue before DRIVER_OK, and creates a Bus;
/// remove() destroys the bus and resets the device (§3.3). Single-threaded like DriverCore.
class VirtioHostDriver final : public virtio::BusDriver {
 public:
  /// Rings and buffers come from `allocator` (once per device, reused when it is probed
  /// again); `memory` and the allocator's area must outlive the driver.
  VirtioHostDriver(const shm::GuestMemory& memory, shm::Allocator& allocator, VirtioHostOptions options = {});
  ~VirtioHostDriver() override;

  /// virtio::Error from the initialisation; rpmsg::Error(InvalidConfig) for a device
  /// without a transport.
  void probe(virtio::BusDevice& device) override;
  void remove(virtio::BusDevice& device) override;

  /// The bus of a bound device, or null.
  Bus* bus(const virtio::BusDevice& device) const;
  /// What the device's interrupt handler runs: acknowledges the interrupt, then delivers
  /// every waiting message. rpmsg::Error(NotFound) for a device not bound here.
  std::size_t service(virtio::BusDevice& device);

 private:
  struct Area;
  struct Session;

  const shm::GuestMemory& memory_;
  shm::Allocator& allocator_;
  VirtioHostOptions options_;
  std::map<const virtio::BusDevice*, std::unique_ptr<Area>> areas_;
  std::map<const virtio::BusDevice*, std::unique_ptr<Session>> sessions_;
};

/// Settings of the remote device model.
struct VirtioRemoteOptions {
  std::uint32_t queue_size = 256;                  ///< maximum size of both queues
  std::uint32_t buffer_size = kDefaultBufferSize;  ///< the size the host's buffers have
  RemoteLinkOptions link;                          ///< settings for a host that bends the rules
  BusOptions bus;                                  ///< name_service follows the negotiated F_NS
  std::function<void(Bus&)> on_bus;                ///< runs when the device goes live (create channels)
};

/// The rpmsg remote as a virtio device model. When the driver sets DRIVER_OK it builds a
/// RemoteLink over the two live queues and a Bus; every notification runs the bus; a reset
/// or a queue stop drops both. Its hooks run under the DeviceCore's lock: code outside them
/// that uses bus() goes through DeviceCore::run(). The device has no thread of its own, so
/// its callbacks send with the try_ functions (a blocking send would wait out its timeout
/// when the driver runs in the same thread).
class VirtioRemoteDevice final : public virtio::DeviceModel {
 public:
  explicit VirtioRemoteDevice(VirtioRemoteOptions options = {});
  ~VirtioRemoteDevice() override;

  virtio::DeviceIdentity identity() const override { return {kDeviceId, kVirtioVendorId}; }
  std::uint64_t offered_features() const override { return kVirtioFeatures; }
  std::vector<std::uint32_t> queue_max_sizes() const override { return {options_.queue_size, options_.queue_size}; }

  void activate(virtio::DeviceCore& core) override;
  void queue_notified(virtio::DeviceCore& core, std::uint16_t index) override;
  void queue_enabled(virtio::DeviceCore& core, std::uint16_t index) override;
  void queue_stopped(virtio::DeviceCore& core, std::uint16_t index) override;
  void reset(virtio::DeviceCore& core) override;

  /// The bus while the device is live, else null.
  Bus* bus() noexcept { return bus_.get(); }

 private:
  void start(virtio::DeviceCore& core);
  void stop() noexcept;

  VirtioRemoteOptions options_;
  std::optional<RemoteLink> link_;
  std::unique_ptr<Bus> bus_;
};

}  // namespace vgen::rpmsg
