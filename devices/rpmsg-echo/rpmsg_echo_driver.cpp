// rpmsg-echo: the host (driver) half's handlers (yours; vgen never overwrites this file).
#include "rpmsg_echo_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace rpmsg_echo {
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
  std::uint64_t sent = 0;
  for (int i = 0; i < kDemoMessages; ++i) {
    const auto echo_message = pattern<EchoMessage>(i);
    if (send_echo(echo_message)) {
      ++sent;
      log("sent to echo: " + describe(echo_message));
    }
  }
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
