// What a device program tells the harness about its device, which a transport does not carry:
// the requests it answers (probes) and its feature dependencies. The program prints it for
// --conform-describe; the harness reads it before checking the program over a transport.
//
// One line each:
//   probe QUEUE ANSWERED(0 no, 1 yes, 2 unknown) WRITABLE READABLE-HEX   (READABLE-HEX "-": none)
//   rule FEATURE REQUIRED
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/features.hpp>

namespace vgen::conform::virtio_checks {

/// The probes and dependencies of a device half.
struct DeviceDescription {
  std::vector<VirtioProbe> probes;
  std::optional<virtio::FeatureRules> rules;
};

/// The description of `target`'s device, in the line format above.
std::string describe_device(const VirtioTarget& target);
/// Parses the line format; throws vgen::Error naming the line of a malformed one.
DeviceDescription parse_description(const std::string& text);
/// Runs `command --conform-describe` and parses what it prints; throws vgen::Error when it
/// fails.
DeviceDescription ask_program(const std::string& command);

}  // namespace vgen::conform::virtio_checks
