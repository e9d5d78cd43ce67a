// The loopback sample device: what the driver sends on the transmit queue, the device returns
// on the receive queue, byte for byte and in order. Its constants are declared once here and
// used by both the device model and the driver, including the feature dependencies.
#pragma once

#include <cstdint>

#include <vgen/virtio/features.hpp>

namespace vgen::loopback {

/// vgen's private device type number for the loopback sample; far above the IDs VirtIO 1.2
/// assigns (§5), so no stock driver binds to it.
inline constexpr std::uint32_t kDeviceId = 0x7667;
/// "vgen" in little-endian, as the virtio-mmio VendorID.
inline constexpr std::uint32_t kVendorId = 0x6e656776;

/// Queue 0: the device writes looped-back bytes into the driver's buffers.
inline constexpr std::uint16_t kReceiveQueue = 0;
/// Queue 1: the driver's messages, read by the device.
inline constexpr std::uint16_t kTransmitQueue = 1;

/// Feature bit: the configuration field looped_bytes is valid.
inline constexpr unsigned kFeatureStats = 0;
/// Feature bit: writing kControlResetCounter to the control field clears looped_bytes.
/// Requires kFeatureStats.
inline constexpr unsigned kFeatureStatsReset = 1;

/// Configuration space: le64 looped_bytes at 0 (bytes returned since reset), le32 control at 8.
inline constexpr std::uint32_t kConfigLoopedBytes = 0;
inline constexpr std::uint32_t kConfigControl = 8;
inline constexpr std::uint32_t kConfigBytes = 12;
/// The command the control field takes.
inline constexpr std::uint32_t kControlResetCounter = 1;

/// The features the device offers: VERSION_1, the ring features, RING_RESET and both stats bits.
inline constexpr std::uint64_t kOfferedFeatures =
    virtio::kFeatureVersion1Mask | virtio::feature_bit(virtqueue::kFeatureEventIdx) |
    virtio::feature_bit(virtqueue::kFeatureIndirectDesc) | virtio::feature_bit(virtqueue::kFeatureRingReset) |
    virtio::feature_bit(kFeatureStats) | virtio::feature_bit(kFeatureStatsReset);

/// The loopback type's feature dependencies (kFeatureStatsReset requires kFeatureStats).
const virtio::FeatureRules& feature_rules();

}  // namespace vgen::loopback
