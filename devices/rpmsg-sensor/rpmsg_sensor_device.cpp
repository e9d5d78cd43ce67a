// rpmsg-sensor: the remote (device) half's handlers (yours; vgen never overwrites this file).
#include "rpmsg_sensor_device.hpp"

#include <cstdio>
#include <string>

namespace rpmsg_sensor {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void RpmsgSensorDevice::on_command(const SensorCommand& message, std::uint32_t source) {
  log("command: " + describe(message) + " from " + std::to_string(source));
  if (!send_command(source, message)) log("command: echo to " + std::to_string(source) + " timed out");
}

void RpmsgSensorDevice::on_samples(const SensorSample& message, std::uint32_t source) {
  log("samples: " + describe(message) + " from " + std::to_string(source));
  if (!send_samples(source, message)) log("samples: echo to " + std::to_string(source) + " timed out");
}

void RpmsgSensorDevice::on_status(const HubStatus& message, std::uint32_t source) {
  log("status: " + describe(message) + " from " + std::to_string(source));
  if (!send_status(source, message)) log("status: echo to " + std::to_string(source) + " timed out");
}

void RpmsgSensorDevice::on_log(std::span<const std::byte> bytes, std::uint32_t source) {
  log("log: \"" + std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()) + "\" from " +
      std::to_string(source));
  if (!send_log(source, bytes)) log("log: echo to " + std::to_string(source) + " timed out");
}

}  // namespace rpmsg_sensor
