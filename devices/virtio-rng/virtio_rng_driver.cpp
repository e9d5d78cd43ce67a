// virtio-rng: the driver half's handlers (yours; vgen never overwrites this file).
#include "virtio_rng_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace virtio_rng {
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

void VirtioRngDriver::on_started() {}

bool VirtioRngDriver::run_demo() {
  expected_ = 0;
  received_ = 0;
  expected_ += post_requestq(kDemoMessages);
  log("posted " + std::to_string(kDemoMessages) + " buffers on requestq");
  const bool complete = run_until([this] { return received_ >= expected_; }, std::chrono::seconds(10));
  log("demo " + std::string(complete ? "complete" : "incomplete") + ": " + std::to_string(received_) + " of " +
      std::to_string(expected_) + " answers");
  return complete;
}

void VirtioRngDriver::on_requestq(std::span<const std::byte> bytes) {
  log("received on requestq: " + std::to_string(bytes.size()) + " bytes: " + hex(bytes));
  ++received_;
}

}  // namespace virtio_rng
