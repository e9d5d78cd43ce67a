// virtio-gpio: the driver half's handlers (yours; vgen never overwrites this file).
#include "virtio_gpio_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace virtio_gpio {
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

bool VirtioGpioDriver::run_demo() {
  received_ = 0;
  // The buffers and traffic on every queue come from the generated base, made again with the
  // spec, so this function stays right as queues come and go.
  expected_ = send_demo_traffic(kDemoMessages);
  const bool complete = run_until([this] { return received_ >= expected_; }, std::chrono::seconds(10));
  log("demo " + std::string(complete ? "complete" : "incomplete") + ": " + std::to_string(received_) + " of " +
      std::to_string(expected_) + " answers");
  return complete;
}

void VirtioGpioDriver::on_requestq_reply(const GpioRequest& request, const GpioStatus& reply,
                                         std::span<const std::byte> data_in) {
  log("reply on requestq: " + describe(reply) + " to " + describe(request) + ", data in: \"" +
      std::string(reinterpret_cast<const char*>(data_in.data()), data_in.size()) + "\"");
  ++received_;
}

}  // namespace virtio_gpio
