// Device-to-driver notifications (VirtIO 1.2 §2.3): the reasons an interrupt was raised, as
// the bits of virtio-mmio InterruptStatus (§4.2.2), used by every vgen transport.
#pragma once

#include <cstdint>

namespace vgen::virtio {

/// Used buffer notification: some queue has new used buffers (VIRTIO_MMIO_INT_VRING).
inline constexpr std::uint32_t kInterruptUsedBuffer = 1;
/// Configuration change notification (VIRTIO_MMIO_INT_CONFIG), also sent after the device
/// set DEVICE_NEEDS_RESET (§2.1.2).
inline constexpr std::uint32_t kInterruptConfigChange = 2;
/// Every defined bit; the others read 0 and must not be acknowledged.
inline constexpr std::uint32_t kInterruptDefinedBits = kInterruptUsedBuffer | kInterruptConfigChange;

}  // namespace vgen::virtio
