// Requests the harness knows for device types it has no target description of: a block
// read and identify, an entropy buffer, console output, the loopback sample's message.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/features.hpp>

namespace vgen::conform::virtio_checks {

/// Probes for device type `device_id` (VIRTIO_ID_*); empty when the type is unknown.
std::vector<VirtioProbe> builtin_probes(std::uint32_t device_id);

/// Feature dependencies the harness knows for `device_id`; nullopt when none are known.
std::optional<virtio::FeatureRules> builtin_rules(std::uint32_t device_id);

}  // namespace vgen::conform::virtio_checks
