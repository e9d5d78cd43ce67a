// The XenStore suite: the store semantics checked against any daemon on an xs_wire socket.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/report.hpp>

namespace vgen::conform::xenstore_checks {

/// One run of the suite.
struct StorePlan {
  std::string socket;              ///< the daemon's socket
  bool faithful = true;            ///< run faithful checks
  bool hostile = true;             ///< run hostile checks
  std::optional<std::regex> only;  ///< run only checks whose id matches
};

/// Every XenStore check.
std::vector<CheckInfo> store_check_infos();
/// Runs the plan's checks one after the other, each under a path of its own below /conform
/// (removed afterwards), into `report`.
void run_store(const StorePlan& plan, Report& report, const std::map<std::string, std::string>& deviations);

}  // namespace vgen::conform::xenstore_checks
