// The virtio-mmio version 2 register block (VirtIO 1.2 §4.2.2): offsets (the same as the
// VIRTIO_MMIO_* macros of <linux/virtio_mmio.h>), fixed values, and each register's name and
// direction, which the device side uses to validate every access.
#pragma once

#include <cstdint>

#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtio::mmio {

inline constexpr std::uint32_t kMagicValue = 0x000;         ///< R: 0x74726976
inline constexpr std::uint32_t kVersion = 0x004;            ///< R: 2
inline constexpr std::uint32_t kDeviceId = 0x008;           ///< R
inline constexpr std::uint32_t kVendorId = 0x00c;           ///< R
inline constexpr std::uint32_t kDeviceFeatures = 0x010;     ///< R: window DeviceFeaturesSel
inline constexpr std::uint32_t kDeviceFeaturesSel = 0x014;  ///< W
inline constexpr std::uint32_t kDriverFeatures = 0x020;     ///< W: window DriverFeaturesSel
inline constexpr std::uint32_t kDriverFeaturesSel = 0x024;  ///< W
inline constexpr std::uint32_t kQueueSel = 0x030;           ///< W
inline constexpr std::uint32_t kQueueNumMax = 0x034;        ///< R
inline constexpr std::uint32_t kQueueNum = 0x038;           ///< W
inline constexpr std::uint32_t kQueueReady = 0x044;         ///< RW
inline constexpr std::uint32_t kQueueNotify = 0x050;        ///< W
inline constexpr std::uint32_t kInterruptStatus = 0x060;    ///< R
inline constexpr std::uint32_t kInterruptAck = 0x064;       ///< W
inline constexpr std::uint32_t kStatus = 0x070;             ///< RW
inline constexpr std::uint32_t kQueueDescLow = 0x080;       ///< W
inline constexpr std::uint32_t kQueueDescHigh = 0x084;      ///< W
inline constexpr std::uint32_t kQueueDriverLow = 0x090;     ///< W (VIRTIO_MMIO_QUEUE_AVAIL_LOW)
inline constexpr std::uint32_t kQueueDriverHigh = 0x094;    ///< W
inline constexpr std::uint32_t kQueueDeviceLow = 0x0a0;     ///< W (VIRTIO_MMIO_QUEUE_USED_LOW)
inline constexpr std::uint32_t kQueueDeviceHigh = 0x0a4;    ///< W
inline constexpr std::uint32_t kShmSel = 0x0ac;             ///< W
inline constexpr std::uint32_t kShmLenLow = 0x0b0;          ///< R: all ones (no region)
inline constexpr std::uint32_t kShmLenHigh = 0x0b4;         ///< R
inline constexpr std::uint32_t kShmBaseLow = 0x0b8;         ///< R: all ones (no region)
inline constexpr std::uint32_t kShmBaseHigh = 0x0bc;        ///< R
inline constexpr std::uint32_t kQueueReset = 0x0c0;         ///< RW (VirtIO 1.2; newer than some headers)
inline constexpr std::uint32_t kConfigGeneration = 0x0fc;   ///< R
inline constexpr std::uint32_t kConfig = 0x100;             ///< RW: device-specific configuration space

/// MagicValue: "virt" in little-endian.
inline constexpr std::uint32_t kMagic = 0x74726976;
/// Version of the non-legacy register layout.
inline constexpr std::uint32_t kDeviceVersion = 2;
/// Every control register is 32 bits wide (§4.2.2.2).
inline constexpr unsigned kRegisterWidth = 4;

/// Who may access a register.
enum class Direction : std::uint8_t {
  None,       ///< no register at this offset
  Read,       ///< read-only (R)
  Write,      ///< write-only (W)
  ReadWrite,  ///< RW
};

/// A control register's name and direction.
struct RegisterInfo {
  const char* name = "undefined";         ///< the name §4.2.2 gives it
  Direction direction = Direction::None;  ///< who may access it
};

/// The register at control offset `offset` (< kConfig); Direction::None for offsets that are
/// undefined in version 2, including the legacy GuestPageSize, QueueAlign and QueuePFN.
RegisterInfo register_info(std::uint32_t offset) noexcept;

/// Applies a write of `value` to a queue address register half (QueueDesc, QueueDriver or
/// QueueDevice, Low or High; §4.2.2) to `addresses`. False, and nothing changed, for any other
/// offset. Serves the device's register file and the harness's bystanders alike.
bool set_queue_address(virtqueue::RingAddresses& addresses, std::uint32_t offset, std::uint32_t value) noexcept;

}  // namespace vgen::virtio::mmio
