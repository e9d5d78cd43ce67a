// virtio-console: the driver half's handlers (yours; vgen never overwrites this file).
#include "virtio_console_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace virtio_console {
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

[[maybe_unused]] std::string hex(std::span<const std::byte> bytes, std::size_t limit = 8) {
  std::string text;
  char digits[4];
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::snprintf(digits, sizeof(digits), "%02x", std::to_integer<unsigned>(bytes[i]));
    text += (i == 0 ? "" : " ") + std::string(digits);
  }
  return text;
}

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void VirtioConsoleDriver::on_started() {
  // receiveq0 carries what the device echoes: keep every buffer posted.
  post_receiveq0(kQueueReceiveq0Size);
  // control_receiveq carries what the device echoes: keep every buffer posted.
  post_control_receiveq(kQueueControlReceiveqSize);
}

bool VirtioConsoleDriver::run_demo() {
  expected_ = 0;
  received_ = 0;
  for (int i = 0; i < kDemoMessages && has_transmitq0(); ++i) {
    const std::string text = "transmitq0 message " + std::to_string(i);
    if (!send_transmitq0(std::as_bytes(std::span(text)))) break;
    log("sent on transmitq0: \"" + text + "\"");
    if (has_receiveq0()) ++expected_;
  }
  for (int i = 0; i < kDemoMessages && has_control_transmitq(); ++i) {
    const auto message = pattern<ConsoleControl>(i);
    if (!send_control_transmitq(message)) break;
    log("sent on control_transmitq: " + describe(message));
    if (has_control_receiveq()) ++expected_;
  }
  const bool complete = run_until([this] { return received_ >= expected_; }, std::chrono::seconds(10));
  log("demo " + std::string(complete ? "complete" : "incomplete") + ": " + std::to_string(received_) + " of " +
      std::to_string(expected_) + " answers");
  return complete;
}

void VirtioConsoleDriver::on_receiveq0(std::span<const std::byte> bytes) {
  log("received on receiveq0: " + std::to_string(bytes.size()) + " bytes: " + hex(bytes));
  ++received_;
  post_receiveq0(1);  // give the buffer back
}

void VirtioConsoleDriver::on_control_receiveq(const ConsoleControl& message) {
  log("received on control_receiveq: " + describe(message));
  ++received_;
  post_control_receiveq(1);  // give the buffer back
}

}  // namespace virtio_console
