// The checks that judge a driver: the harness plays the device (the pair's own device model
// in a scenario), records what the driver does and judges it afterwards. Hostile scenarios
// break a device rule; the driver passes when it survives and works again with a faithful
// device.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/report.hpp>

#include "virtio_suite.hpp"

namespace vgen::conform::virtio_checks {

/// Every driver check.
std::vector<CheckInfo> driver_check_infos();

/// Runs the driver checks of `plan` (one driver run per scenario, each in a child process of
/// its own) into `report`.
void run_driver_role(const VirtioPlan& plan, Report& report, const std::map<std::string, std::string>& deviations);

}  // namespace vgen::conform::virtio_checks
