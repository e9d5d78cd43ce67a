// Feature bits that concern the ring itself (§6) and the event index test (§2.7.7.2, §2.7.10).
#pragma once

#include <cstdint>

namespace vgen::virtqueue {

/// Reserved feature bit numbers (§6), as in <linux/virtio_config.h> / <linux/virtio_ring.h>.
inline constexpr unsigned kFeatureIndirectDesc = 28;
inline constexpr unsigned kFeatureEventIdx = 29;
inline constexpr unsigned kFeatureVersion1 = 32;
inline constexpr unsigned kFeatureAccessPlatform = 33;
inline constexpr unsigned kFeatureRingPacked = 34;
inline constexpr unsigned kFeatureInOrder = 35;
inline constexpr unsigned kFeatureOrderPlatform = 36;
inline constexpr unsigned kFeatureSrIov = 37;
inline constexpr unsigned kFeatureNotificationData = 38;
inline constexpr unsigned kFeatureRingReset = 40;

/// The bit mask of feature number `bit`.
constexpr std::uint64_t feature_bit(unsigned bit) { return std::uint64_t{1} << bit; }

/// The ring features a queue was set up with, taken from the negotiated feature word.
struct RingFeatures {
  bool indirect = false;   ///< VIRTIO_F_INDIRECT_DESC
  bool event_idx = false;  ///< VIRTIO_F_EVENT_IDX

  /// Picks the ring-relevant bits out of a negotiated 64-bit feature word.
  static constexpr RingFeatures from(std::uint64_t negotiated) {
    return {(negotiated & feature_bit(kFeatureIndirectDesc)) != 0, (negotiated & feature_bit(kFeatureEventIdx)) != 0};
  }
};

/// vring_need_event(): true when moving an index from `old_idx` to `new_idx` passes `event`,
/// i.e. the peer asked to be notified at `event` (§2.7.7.2, §2.7.10). All arithmetic mod 2^16.
constexpr bool need_event(std::uint16_t event, std::uint16_t new_idx, std::uint16_t old_idx) {
  return static_cast<std::uint16_t>(new_idx - event - 1) < static_cast<std::uint16_t>(new_idx - old_idx);
}

}  // namespace vgen::virtqueue
