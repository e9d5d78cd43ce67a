// The device side of virtio-mmio (VirtIO 1.2 §4.2.2): the version-2 register block mapped onto
// a DeviceCore. It validates every access before it reaches the core (32-bit aligned control
// registers, field-width configuration accesses, defined offsets, register direction) and
// keeps the transport's own state: the feature, queue and shared-memory selectors.
#pragma once

#include <cstdint>
#include <mutex>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/mmio_bus.hpp>

namespace vgen::virtio {

/// The register file of one virtio-mmio device. Every refused access returns a fault (a read
/// then returns 0, a write changes nothing) and is recorded in the core's rejections() with
/// the offset, register, width and value. Thread-safe.
class MmioRegisterFile final : public MmioBus {
 public:
  /// `core` must outlive the register file.
  explicit MmioRegisterFile(DeviceCore& core) : core_(core) {}

  /// Each access, served or refused, is traced to the core's sink (MmioRead, MmioWrite).
  AccessResult read(std::uint32_t offset, unsigned width) override;
  AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

  /// Bytes of the window: 0x100 of control registers plus the configuration space.
  std::uint32_t window_size() const noexcept;
  /// The core behind the registers.
  DeviceCore& core() noexcept { return core_; }

 private:
  struct Access;
  AccessResult serve_read(std::uint32_t offset, unsigned width);
  AccessResult serve_write(std::uint32_t offset, unsigned width, std::uint32_t value);

  /// Why `access` breaks the transport's rules (width, offset, direction), or null if it is
  /// well-formed; sets `kind` to the fault to answer.
  const char* malformed(const Access& access, AccessFault& kind) const noexcept;
  AccessResult refuse(const Access& access, AccessFault kind, const std::string& why);
  bool field_access(std::uint64_t field, unsigned width) const noexcept;
  std::uint32_t read_control(std::uint32_t offset);
  void write_control(const Access& access);
  void write_queue_address(std::uint32_t offset, std::uint32_t value);

  DeviceCore& core_;
  std::mutex mutex_;  // one access at a time, as on a bus
  std::uint32_t device_features_select_ = 0;
  std::uint32_t driver_features_select_ = 0;
  std::uint32_t queue_select_ = 0;
  std::uint32_t shared_memory_select_ = 0;
};

}  // namespace vgen::virtio
