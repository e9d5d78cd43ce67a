// The checks that judge a device: faithful ones (the harness drives it by the rules and
// judges its answers) and hostile ones (the harness breaks a driver rule and judges whether
// the device rejects the input, survives and works after a reset).
#pragma once

#include <functional>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/verdict.hpp>

#include "device_session.hpp"

namespace vgen::conform::virtio_checks {

/// One check of a device.
struct DeviceCheck {
  CheckInfo info;
  std::function<Verdict(DeviceSession&)> run;
};

/// Faithful checks of the device side (§2.1-§2.7, §3.1, §4.2.2.1, §6).
const std::vector<DeviceCheck>& faithful_device_checks();
/// Hostile checks: the harness plays a driver that breaks one rule per check.
const std::vector<DeviceCheck>& hostile_driver_checks();

/// Device configuration bytes readable from offset 0 (1-byte reads until the first refused
/// one, at most 256).
std::vector<std::byte> read_config_space(virtio::Transport& transport);

}  // namespace vgen::conform::virtio_checks
