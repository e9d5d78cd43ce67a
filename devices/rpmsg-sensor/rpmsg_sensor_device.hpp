// rpmsg-sensor: the remote (device) half. vgen wrote this file once; it is yours to change, and
// vgen never overwrites it. The generated base class (rpmsg_sensor_device_base.hpp) does the
// rpmsg work; the handlers here are what the remote does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rpmsg_sensor_device_base.hpp"

namespace rpmsg_sensor {

/// The rpmsg-sensor remote. The default handlers log every message and echo it to its sender.
class RpmsgSensorDevice : public RpmsgSensorDeviceBase {
 public:
  using RpmsgSensorDeviceBase::RpmsgSensorDeviceBase;

 protected:
  void on_command(const SensorCommand& message, std::uint32_t source) override;
  void on_samples(const SensorSample& message, std::uint32_t source) override;
  void on_status(const HubStatus& message, std::uint32_t source) override;
  void on_log(std::span<const std::byte> bytes, std::uint32_t source) override;
};

}  // namespace rpmsg_sensor
