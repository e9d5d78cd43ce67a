// rpmsg-sensor: the host (driver) half's handlers (yours; vgen never overwrites this file).
#include "rpmsg_sensor_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace rpmsg_sensor {
namespace {

constexpr int kDemoMessages = 3;

// Demo message number `seed`: zeros, and seed + 1 in the first byte (the first field, when it
// is little-endian), so each message is told apart in the logs of both halves.
template <class Message>
Message pattern(int seed) {
  Message message{};
  reinterpret_cast<unsigned char*>(&message)[0] = static_cast<unsigned char>(seed + 1);
  return message;
}

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
  std::uint64_t sent = 0;
  for (int i = 0; i < kDemoMessages; ++i) {
    const auto command_message = pattern<SensorCommand>(i);
    if (send_command(command_message)) {
      ++sent;
      log("sent to command: " + describe(command_message));
    }
    const auto samples_message = pattern<SensorSample>(i);
    if (send_samples(samples_message)) {
      ++sent;
      log("sent to samples: " + describe(samples_message));
    }
    const auto status_message = pattern<HubStatus>(i);
    if (send_status(status_message)) {
      ++sent;
      log("sent to status: " + describe(status_message));
    }
    const std::string log_text = "log message " + std::to_string(i);
    if (send_log(std::as_bytes(std::span(log_text)))) {
      ++sent;
      log("sent to log: \"" + log_text + "\"");
    }
  }
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
