// Feature negotiation (VirtIO 1.2 §2.2, §6): the 64-bit feature word, the reserved bits vgen
// supports, and dependencies between features declared once per device type and enforced by
// both the device core (it refuses FEATURES_OK) and the driver core (it never accepts them).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <vgen/virtqueue/features.hpp>

namespace vgen::virtio {

using virtqueue::feature_bit;

/// Number of feature bits a 32-bit select window carries (§4.2.2: DeviceFeaturesSel).
inline constexpr unsigned kFeatureWindowBits = 32;
/// Feature words vgen handles: bits 0..63, i.e. select windows 0 and 1.
inline constexpr std::uint32_t kFeatureWindows = 2;

/// VIRTIO_F_VERSION_1 as a mask: offered by every vgen device and required by every vgen
/// driver (§6.1, §6.2); vgen implements no legacy interface.
inline constexpr std::uint64_t kFeatureVersion1Mask = feature_bit(virtqueue::kFeatureVersion1);

/// The reserved bits (§6) vgen's device and driver cores implement: indirect descriptors and
/// event index (the split ring runtime), VERSION_1, IN_ORDER and ORDER_PLATFORM (no change to
/// the ring code), RING_RESET (virtqueue reset, §2.6.1). A device offering any other bit in
/// 24..49 is refused at construction; a driver never accepts one.
inline constexpr std::uint64_t kSupportedReservedFeatures =
    feature_bit(virtqueue::kFeatureIndirectDesc) | feature_bit(virtqueue::kFeatureEventIdx) | kFeatureVersion1Mask |
    feature_bit(virtqueue::kFeatureInOrder) | feature_bit(virtqueue::kFeatureOrderPlatform) |
    feature_bit(virtqueue::kFeatureRingReset);

/// Bits 24..49, everything that is not device-type specific (§2.2: 24..41 extend the queue
/// and feature negotiation, 42..49 are reserved); Linux's VIRTIO_TRANSPORT_F_START..END
/// (28..41) lie within.
inline constexpr std::uint64_t kReservedFeatureRange = ((std::uint64_t{1} << 50) - 1) & ~((std::uint64_t{1} << 24) - 1);

/// Bits 0..23 and 50..63: device-type specific features.
inline constexpr std::uint64_t kDeviceTypeFeatureRange = ~kReservedFeatureRange;

/// The name of a reserved feature bit ("VIRTIO_F_VERSION_1"), or "feature bit N" otherwise.
std::string feature_name(unsigned bit);

/// `feature` must only be offered or accepted together with `required` (§2.2.1, §2.2.2).
struct FeatureDependency {
  unsigned feature = 0;   ///< the dependent feature's bit number (< 64)
  unsigned required = 0;  ///< the bit number it needs (< 64, not `feature`)
};

/// The dependencies of one device type. The device core refuses an offer or an accepted set
/// that breaks one; the driver core drops every feature whose requirement it did not accept.
class FeatureRules {
 public:
  FeatureRules() = default;
  /// Throws virtio::Error(InvalidArgument) for a bit >= 64 or a feature that requires itself.
  FeatureRules(std::initializer_list<FeatureDependency> dependencies);

  /// Adds one dependency (same checks as the constructor).
  void add(FeatureDependency dependency);
  /// Every dependency, in the order added.
  std::span<const FeatureDependency> dependencies() const noexcept { return dependencies_; }

  /// Describes the first dependency `features` breaks ("feature bit 3 requires feature bit 1,
  /// which is missing"); nullopt when every dependency holds.
  std::optional<std::string> violation(std::uint64_t features) const;
  /// `features` without every feature whose requirement is missing, repeated until nothing
  /// changes (so a chain a -> b -> c loses a and b when c is missing).
  std::uint64_t prune(std::uint64_t features) const noexcept;

 private:
  std::vector<FeatureDependency> dependencies_;
};

}  // namespace vgen::virtio
