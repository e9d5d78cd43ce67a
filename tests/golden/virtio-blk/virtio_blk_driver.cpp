// virtio-blk: the driver half's handlers (yours; vgen never overwrites this file).
#include "virtio_blk_driver.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace virtio_blk {
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

void VirtioBlkDriver::on_started() {}

bool VirtioBlkDriver::run_demo() {
  expected_ = 0;
  received_ = 0;
  for (int i = 0; i < kDemoMessages && has_requestq(); ++i) {
    const std::string data = "requestq data " + std::to_string(i);
    const auto request = pattern<BlkRequestHeader>(i);
    if (!request_requestq(request, std::as_bytes(std::span(data)), static_cast<std::uint32_t>(data.size()))) break;
    log("request on requestq: " + describe(request) + " with \"" + data + "\"");
    ++expected_;
  }
  const bool complete = run_until([this] { return received_ >= expected_; }, std::chrono::seconds(10));
  log("demo " + std::string(complete ? "complete" : "incomplete") + ": " + std::to_string(received_) + " of " +
      std::to_string(expected_) + " answers");
  return complete;
}

void VirtioBlkDriver::on_requestq_reply(const BlkRequestHeader& request, const BlkRequestStatus& reply,
                                        std::span<const std::byte> data_in) {
  log("reply on requestq: " + describe(reply) + " to " + describe(request) + ", data in: \"" +
      std::string(reinterpret_cast<const char*>(data_in.data()), data_in.size()) + "\"");
  ++received_;
}

}  // namespace virtio_blk
