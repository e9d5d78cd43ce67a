// The VirtIO suite: which half is under test, how it is reached, and running its checks.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/report.hpp>
#include <vgen/conform/virtio_target.hpp>

namespace vgen::conform::virtio_checks {

/// One run of the suite.
struct VirtioPlan {
  const VirtioTarget* target = nullptr;      ///< a half linked into this program (may be null)
  std::string role = "device";               ///< "device" or "driver": the half under test
  std::string transport = "in-process";      ///< "in-process", "mmio" or "vhost-user"
  std::string program;                       ///< a program serving the half (instead of target)
  std::string socket;                        ///< a vhost-user back end's socket (device role)
  std::uint32_t device_id = 0;               ///< the device type behind `socket` (vhost-user does not say)
  bool faithful = true;                      ///< run faithful checks
  bool hostile = true;                       ///< run hostile checks
  std::optional<std::regex> only;            ///< run only checks whose id matches
  std::chrono::milliseconds timeout{15000};  ///< per check
};

/// Every VirtIO check (device and driver, faithful and hostile).
std::vector<CheckInfo> virtio_check_infos();

/// What the report header names as the target.
std::string plan_target_name(const VirtioPlan& plan);

/// Runs the plan's checks, each in a child process of its own, into `report`; FAILs listed in
/// `deviations` are recorded as such. Throws vgen::Error for a plan that cannot run (a role
/// the target lacks, in-process without a linked target, vhost-user for the driver role).
void run_virtio(const VirtioPlan& plan, Report& report, const std::map<std::string, std::string>& deviations);

}  // namespace vgen::conform::virtio_checks
