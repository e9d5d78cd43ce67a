// rpmsg-sensor: the host (driver) half's handlers (yours; vgen never overwrites this file).
#include "rpmsg_sensor_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace rpmsg_sensor {
namespace {

constexpr int kDemoMessages = 3;

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void RpmsgSensorDriver::on_bound() { log("channel " + std::string(kSpec.service) + " bound"); }

bool RpmsgSensorDriver::run_demo() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const auto wait = [&](const auto& done) {
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (bus().poll() == 0) bus().wait(std::chrono::milliseconds(20));
    }
    return done();
  };
  if (!wait([this] { return bound(); })) {
    log("the remote never announced " + std::string(kSpec.service));
    return false;
  }
  // The messages to every endpoint come from the generated base, made again with the spec,
  // so this function stays right as endpoints come and go.
  const std::uint64_t sent = send_demo_traffic(kDemoMessages);
  const bool complete = wait([&] { return received_ >= sent; }) && sent > 0;
  log("demo " + std::string(complete ? "complete" : "incomplete") + ": " + std::to_string(received_) + " of " +
      std::to_string(sent) + " answers");
  return complete;
}

void RpmsgSensorDriver::on_command(const SensorCommand& message) {
  log("received from command: " + describe(message));
  ++received_;
}

void RpmsgSensorDriver::on_samples(const SensorSample& message) {
  log("received from samples: " + describe(message));
  ++received_;
}

void RpmsgSensorDriver::on_status(const HubStatus& message) {
  log("received from status: " + describe(message));
  ++received_;
}

void RpmsgSensorDriver::on_log(std::span<const std::byte> bytes) {
  log("received from log: \"" + std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()) + "\"");
  ++received_;
}

}  // namespace rpmsg_sensor
