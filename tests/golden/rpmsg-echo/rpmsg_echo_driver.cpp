// rpmsg-echo: the host (driver) half's handlers (yours; vgen never overwrites this file).
#include "rpmsg_echo_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace rpmsg_echo {
namespace {

constexpr int kDemoMessages = 3;

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void RpmsgEchoDriver::on_bound() { log("channel " + std::string(kSpec.service) + " bound"); }

bool RpmsgEchoDriver::run_demo() {
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

void RpmsgEchoDriver::on_echo(const EchoMessage& message) {
  log("received from echo: " + describe(message));
  ++received_;
}

}  // namespace rpmsg_echo
