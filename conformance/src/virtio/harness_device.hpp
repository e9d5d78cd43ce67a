// Running the driver under test against the harness device: the pair's own device model (in
// a scenario) behind a recording transport, in this process or across a virtio-mmio window
// with the driver in a child process. The result is what the driver did and how it ended.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <vgen/conform/virtio_target.hpp>
#include <vgen/virtio/features.hpp>

#include "access.hpp"
#include "driver_observer.hpp"
#include "scenario.hpp"

namespace vgen::conform::virtio_checks {

/// One run of the driver under test.
struct DriverRun {
  Scenario scenario = Scenario::Faithful;
  bool completed = false;                ///< the driver's run returned true
  std::string outcome;                   ///< how it ended, for reasons
  std::vector<Access> log;               ///< every register access
  Findings findings;                     ///< ring rule breaks
  std::size_t chains = 0;                ///< chains the driver made available
  std::uint64_t offered = 0;             ///< the offer as the driver was shown it
  std::uint64_t accepted = 0;            ///< features at FEATURES_OK
  bool features_ok_written = false;      ///< FEATURES_OK ever written
  std::vector<std::uint32_t> max_sizes;  ///< QueueNumMax per queue
  virtio::FeatureRules rules;            ///< the device type's dependencies
  std::vector<std::uint32_t> flips;      ///< 64-bit fields whose halves a generation flip split
  int acted = 0;                         ///< how often the scenario acted
  bool register_window = false;          ///< the driver used virtio-mmio registers
};

/// Runs the driver under test once in a scenario.
using DriverRunner = std::function<DriverRun(Scenario)>;

/// The driver of `target` over the in-process transport.
DriverRunner in_process_driver(const VirtioTarget& target);
/// The driver of `target` in a child process, over a virtio-mmio window served here; a
/// driver that does not finish within `timeout` is killed.
DriverRunner mmio_driver(const VirtioTarget& target, std::chrono::milliseconds timeout);

}  // namespace vgen::conform::virtio_checks
