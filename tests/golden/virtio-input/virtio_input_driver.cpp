// virtio-input: the driver half's handlers (yours; vgen never overwrites this file).
#include "virtio_input_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace virtio_input {
namespace {

constexpr int kDemoMessages = 3;

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

bool VirtioInputDriver::run_demo() {
  received_ = 0;
  // The buffers and traffic on every queue come from the generated base, made again with the
  // spec, so this function stays right as queues come and go.
  expected_ = send_demo_traffic(kDemoMessages);
  const bool complete = run_until([this] { return received_ >= expected_; }, std::chrono::seconds(10));
  log("demo " + std::string(complete ? "complete" : "incomplete") + ": " + std::to_string(received_) + " of " +
      std::to_string(expected_) + " answers");
  return complete;
}

void VirtioInputDriver::on_eventq(const VirtioInputEvent& message) {
  log("received on eventq: " + describe(message));
  ++received_;
  post_eventq(1);  // give the buffer back
}

}  // namespace virtio_input
