// The device status field (VirtIO 1.2 §2.1): one byte the driver advances bit by bit while it
// initialises the device, and the device uses to report that it needs a reset.
#pragma once

#include <cstdint>
#include <string>

namespace vgen::virtio {

/// Status bits (§2.1), the same values as VIRTIO_CONFIG_S_* in <linux/virtio_config.h>.
inline constexpr std::uint8_t kStatusAcknowledge = 1;        ///< the driver found the device
inline constexpr std::uint8_t kStatusDriver = 2;             ///< the driver knows how to drive it
inline constexpr std::uint8_t kStatusDriverOk = 4;           ///< the driver is ready; the device is live
inline constexpr std::uint8_t kStatusFeaturesOk = 8;         ///< feature negotiation is complete
inline constexpr std::uint8_t kStatusDeviceNeedsReset = 64;  ///< the device hit an unrecoverable error
inline constexpr std::uint8_t kStatusFailed = 128;           ///< the driver gave up on the device

/// Every bit §2.1 defines; bits 4 and 5 are undefined and never set.
inline constexpr std::uint8_t kStatusDefinedBits =
    kStatusAcknowledge | kStatusDriver | kStatusDriverOk | kStatusFeaturesOk | kStatusDeviceNeedsReset | kStatusFailed;

/// The status as bit names joined by '|', e.g. "ACKNOWLEDGE|DRIVER"; "0" for a reset device.
/// Undefined bits appear as hexadecimal.
std::string status_text(std::uint8_t status);

}  // namespace vgen::virtio
