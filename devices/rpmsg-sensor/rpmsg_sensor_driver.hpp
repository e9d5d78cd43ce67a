// rpmsg-sensor: the host (driver) half. vgen wrote this file once; it is yours to change, and vgen
// never overwrites it. The generated base class (rpmsg_sensor_driver_base.hpp) does the
// rpmsg work; the handlers here decide what the host does with what the remote sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rpmsg_sensor_driver_base.hpp"

namespace rpmsg_sensor {

/// The rpmsg-sensor host. The default handlers log and count every message; run_demo() sends a
/// few messages to every endpoint and waits for the answers.
class RpmsgSensorDriver : public RpmsgSensorDriverBase {
 public:
  using RpmsgSensorDriverBase::RpmsgSensorDriverBase;

  /// The demo run: waits for the remote's announcement, sends three messages to each
  /// endpoint and polls the bus until as many answers came. True when all came in time.
  bool run_demo();

 protected:
  void on_bound() override;
  void on_command(const SensorCommand& message) override;
  void on_samples(const SensorSample& message) override;
  void on_status(const HubStatus& message) override;
  void on_log(std::span<const std::byte> bytes) override;

 private:
  std::uint64_t received_ = 0;  // answers that came
};

}  // namespace rpmsg_sensor
