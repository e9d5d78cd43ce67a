// How the harness device behaves towards the driver under test: faithfully, with an unusual
// but valid twist the driver must cope with, or breaking a device rule on purpose.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <vgen/notify/notifier.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/device_model.hpp>

#include "access.hpp"
#include "driver_observer.hpp"

namespace vgen::conform::virtio_checks {

/// One behaviour of the harness device.
enum class Scenario {
  Faithful,                 ///< the pair's own device model, unchanged
  RefuseFeatures,           ///< FEATURES_OK is never accepted (§2.2.2)
  NoVersion1,               ///< VIRTIO_F_VERSION_1 hidden from the offer (a legacy device)
  BadMagic,                 ///< MagicValue reads 0 (virtio-mmio)
  BadVersion,               ///< Version reads 1 (virtio-mmio)
  DeviceIdZero,             ///< DeviceID reads 0 (virtio-mmio)
  ConfigPadding,            ///< 64 bytes of padding after the configuration space (§2.5.1)
  GenerationFlip,           ///< the generation moves between the halves of a 64-bit read
  SpuriousInterrupts,       ///< an extra used buffer interrupt after each notification
  UndefinedInterruptBits,   ///< InterruptStatus shows an undefined bit (0x20)
  SuppressionNoise,         ///< suppression fields the driver must ignore: used flags 1 with
                            ///< EVENT_IDX, a suppressing avail_event without it (§2.7.10.1)
  BadUsedId,                ///< hostile: a used element whose id is past the table
  UsedLenTooLarge,          ///< hostile: a used len far beyond the chain's writable bytes
  UsedBeforeDriverOk,       ///< hostile: a used element in a queue before DRIVER_OK
  ConfigWithoutGeneration,  ///< hostile: configuration reads change with the generation unchanged
  UsedIdxJump,              ///< hostile: the used idx moves past the queue size
};

/// Short name, e.g. "refuse-features".
const char* to_string(Scenario scenario) noexcept;
/// True for the behaviours that break a device rule.
bool hostile(Scenario scenario) noexcept;

/// The pair's device model with the scenario's changes to the offer and configuration.
std::unique_ptr<virtio::DeviceModel> scenario_model(Scenario scenario, std::unique_ptr<virtio::DeviceModel> model);

/// Applies a scenario at the register level: changes answers, injects used elements and
/// interrupts. Called by the transport adapters around every access.
class DeviceBehaviour {
 public:
  DeviceBehaviour(Scenario scenario, DriverObserver& observer, virtio::DeviceCore& core)
      : scenario_(scenario), observer_(observer), core_(core) {}

  /// The interrupt line to signal for injected interrupts.
  void set_line(notify::Notifier* line) noexcept { line_ = line; }
  /// The answer the driver gets for a read the device answered with `value`.
  std::uint32_t answer(const Access& access, std::uint32_t value);
  /// Before a write reaches the device.
  void before_write(const Access& access);
  /// Before a read reaches the device.
  void before_read(const Access& access);
  /// After the device served `access`.
  void after(const Access& access);

  /// How many times the scenario acted (injections, flips, extra interrupts).
  int acted() const noexcept { return acted_; }
  /// Offsets of the 64-bit configuration fields whose halves were split by a generation flip.
  const std::vector<std::uint32_t>& flips() const noexcept { return flips_; }
  Scenario scenario() const noexcept { return scenario_; }

 private:
  void add_noise();
  void use_before_driver_ok(std::uint32_t queue);
  void corrupt_published();
  void raise();

  Scenario scenario_;
  DriverObserver& observer_;
  virtio::DeviceCore& core_;
  notify::Notifier* line_ = nullptr;
  std::uint32_t extra_status_ = 0;
  std::optional<std::uint32_t> last_config_read_;
  std::vector<std::uint32_t> flips_;
  std::uint32_t config_reads_ = 0;
  int acted_ = 0;
};

}  // namespace vgen::conform::virtio_checks
