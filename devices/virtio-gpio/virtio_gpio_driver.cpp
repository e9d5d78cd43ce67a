// virtio-gpio: the driver half's requests and their answers.
#include "virtio_gpio_driver.hpp"

#include <chrono>
#include <cstdio>

namespace virtio_gpio {
namespace {

// The wire form of a value request's answer is struct virtio_gpio_response: the status the
// spec's chain places first, then one data byte.
static_assert(sizeof(GpioStatus) + 1 == sizeof(GpioResponse));

constexpr std::uint16_t kLed = 0;
constexpr std::uint16_t kButton = 3;
constexpr std::uint16_t kNoSuchLine = 99;

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

bool VirtioGpioDriver::run_demo() {
  const VirtioGpioConfig config = read_config();
  log(std::to_string(config.ngpio()) + " lines, " + std::to_string(config.gpio_names_size()) + " bytes of names");
  using Type = GpioMessageType;
  using Code = GpioStatusCode;
  const auto out = static_cast<std::uint32_t>(GpioDirection::OUT);
  std::uint64_t sent = 0;
  sent += request(Type::GET_LINE_NAMES, 0, 0, {}, config.gpio_names_size());
  sent += request(Type::SET_DIRECTION, kLed, out, {});
  sent += request(Type::SET_VALUE, kLed, 1, {});
  sent += request(Type::GET_VALUE, kLed, 0, {Code::OK, 1});
  sent += request(Type::GET_DIRECTION, kLed, 0, {Code::OK, static_cast<std::uint8_t>(out)});
  sent += request(Type::GET_VALUE, kButton, 0, {Code::OK, 1});
  sent += request(Type::SET_VALUE, kButton, 1, {Code::ERR, {}});      // an input
  sent += request(Type::GET_VALUE, kNoSuchLine, 0, {Code::ERR, {}});  // past ngpio
  const bool complete = run_until([&] { return answered_ >= sent; }, std::chrono::seconds(10));
  const bool named = names_.size() == config.ngpio();
  log("demo " + std::string(complete && named && wrong_ == 0 ? "complete" : "incomplete") + ": " +
      std::to_string(answered_) + " of " + std::to_string(sent) + " answers, " + std::to_string(names_.size()) +
      " line names, " + std::to_string(wrong_) + " wrong");
  return complete && named && wrong_ == 0;
}

bool VirtioGpioDriver::request(GpioMessageType type, std::uint16_t gpio, std::uint32_t value, Expected expected,
                               std::uint32_t data_bytes) {
  GpioRequest message;
  message.set_type(type);
  message.set_gpio(gpio);
  message.set_value(value);
  if (!request_requestq(message, {}, data_bytes)) return false;
  expected_.push_back(expected);
  return true;
}

void VirtioGpioDriver::on_requestq_reply(const GpioRequest& request, const GpioStatus& reply,
                                         std::span<const std::byte> data_in) {
  ++answered_;
  const Expected expected = expected_.empty() ? Expected{} : expected_.front();
  if (!expected_.empty()) expected_.pop_front();
  bool right = reply.status() == expected.status;
  std::string shown;
  if (request.type() == GpioMessageType::GET_LINE_NAMES && reply.status() == GpioStatusCode::OK) {
    const std::string text(reinterpret_cast<const char*>(data_in.data()), data_in.size());
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = text.find('\0', at);
      if (end == std::string::npos) break;
      names_.push_back(text.substr(at, end - at));
      shown += (shown.empty() ? "" : ",") + names_.back();
      at = end + 1;
    }
    shown = ", names " + shown;
  } else if (expected.value) {
    right = right && data_in.size() == 1 && std::to_integer<std::uint8_t>(data_in[0]) == *expected.value;
    shown = data_in.empty() ? "" : ", value " + std::to_string(std::to_integer<unsigned>(data_in[0]));
  }
  if (!right) ++wrong_;
  log("reply to " + describe(request) + ": " + describe(reply) + shown + (right ? "" : " (UNEXPECTED)"));
}

}  // namespace virtio_gpio
