// The rpmsg suite: an rpmsg pair's remote (host) checked over shared-memory vrings, the harness
// playing the host (remote) message by message (faithful), or breaking the wire rules on
// purpose (hostile).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <vgen/conform/check.hpp>
#include <vgen/conform/report.hpp>
#include <vgen/conform/rpmsg_target.hpp>

namespace vgen::conform::rpmsg_checks {

/// One run of the suite.
struct RpmsgPlan {
  const RpmsgTarget* target = nullptr;  ///< the pair (linked into the program)
  std::string role = "remote";          ///< the half under test: "remote" or "host"
  /// "threads": the half on a thread of the harness's process; "processes": in a process of
  /// its own, the two sharing only the vrings' memory and their eventfds.
  std::string transport = "threads";
  bool faithful = true;
  bool hostile = true;
  std::optional<std::regex> only;
  std::chrono::milliseconds timeout{15000};
};

/// Every rpmsg check.
std::vector<CheckInfo> rpmsg_check_infos();
/// Runs the plan's checks (one pair of rings per scenario, each in a child process) into `report`.
void run_rpmsg(const RpmsgPlan& plan, Report& report, const std::map<std::string, std::string>& deviations);

}  // namespace vgen::conform::rpmsg_checks
