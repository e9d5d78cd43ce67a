// The feature bits the harness's own driver and device sides implement.
#pragma once

#include <cstdint>

#include <vgen/virtio/features.hpp>

namespace vgen::conform::virtio_checks {

/// Reserved bits the harness can drive (split ring, indirect, event index, in-order use,
/// virtqueue reset) plus every device-type bit.
inline constexpr std::uint64_t kHarnessFeatures = virtio::kSupportedReservedFeatures | virtio::kDeviceTypeFeatureRange;

}  // namespace vgen::conform::virtio_checks
