// The Xenbus suite: a split pair's frontend or backend checked through a store, against the
// pair's own other half (faithful) or a scripted peer that breaks the protocol (hostile).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/report.hpp>
#include <vgen/conform/split_target.hpp>

#include "split_world.hpp"

namespace vgen::conform::xenbus_checks {

/// One run of the suite.
struct XenbusPlan {
  const SplitTarget* target = nullptr;  ///< the pair (linked into the program)
  std::string role = "frontend";        ///< "frontend" or "backend": the half under test
  StoreAccess store;                    ///< a daemon's socket (empty: a store in this process)
  bool faithful = true;
  bool hostile = true;
  std::optional<std::regex> only;
  std::chrono::milliseconds timeout{15000};
};

/// Every Xenbus check.
std::vector<CheckInfo> xenbus_check_infos();
/// Runs the plan's checks (one device per scenario, each in a child process) into `report`.
void run_xenbus(const XenbusPlan& plan, Report& report, const std::map<std::string, std::string>& deviations);

}  // namespace vgen::conform::xenbus_checks
