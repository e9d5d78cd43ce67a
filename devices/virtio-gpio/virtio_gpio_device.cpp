// virtio-gpio: the device half's requests (§5.17.6).
#include "virtio_gpio_device.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace virtio_gpio {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

// §5.17.6.1: the names, each NUL-terminated, one after another.
std::size_t names_bytes() {
  std::size_t bytes = 0;
  for (std::string_view name : kLineNames) bytes += name.size() + 1;
  return bytes;
}

GpioStatus status(bool ok) {
  GpioStatus reply;
  reply.set_status(ok ? GpioStatusCode::OK : GpioStatusCode::ERR);
  return reply;
}

}  // namespace

VirtioGpioConfig VirtioGpioDevice::config_defaults() const {
  VirtioGpioConfig config;
  config.set_ngpio(static_cast<std::uint16_t>(kLineNames.size()));
  config.set_gpio_names_size(static_cast<std::uint32_t>(names_bytes()));
  return config;
}

void VirtioGpioDevice::power_on() {
  directions_.fill(GpioDirection::NONE);
  directions_[kButton] = GpioDirection::IN;
  directions_[kButton + 1] = GpioDirection::IN;
  values_.fill(0);
  values_[kButton] = 1;
}

GpioStatus VirtioGpioDevice::on_requestq(const GpioRequest& request, std::span<const std::byte> data_in,
                                         std::span<std::byte> data_out, std::uint32_t& written) {
  static_cast<void>(data_in);  // the chain has no device-readable data after the request
  const bool ok = answer(request, data_out, written);
  log("requestq: " + describe(request) + ": " + (ok ? "OK" : "ERR") +
      (request.type() == GpioMessageType::GET_LINE_NAMES || written == 0
           ? ""
           : ", value " + std::to_string(std::to_integer<unsigned>(data_out[0]))));
  return status(ok);
}

bool VirtioGpioDevice::answer(const GpioRequest& request, std::span<std::byte> data, std::uint32_t& written) {
  written = 0;
  if (request.type() == GpioMessageType::GET_LINE_NAMES) {
    if (request.gpio() != 0 || request.value() != 0 || data.size() < names_bytes()) return false;
    for (std::string_view name : kLineNames) {
      std::transform(name.begin(), name.end(), data.begin() + written, [](char c) { return std::byte(c); });
      written += static_cast<std::uint32_t>(name.size());
      data[written++] = std::byte{0};
    }
    return true;
  }
  // Every other request answers with one byte after the status, 0 when refused (§5.17.6).
  if (data.empty()) return false;
  data[0] = std::byte{0};
  written = 1;
  const std::uint16_t line = request.gpio();
  if (line >= kLineNames.size()) return false;
  switch (request.type()) {
    case GpioMessageType::GET_DIRECTION:
      data[0] = static_cast<std::byte>(directions_[line]);
      return true;
    case GpioMessageType::SET_DIRECTION:
      if (request.value() > static_cast<std::uint32_t>(GpioDirection::IN)) return false;
      directions_[line] = static_cast<GpioDirection>(request.value());
      return true;
    case GpioMessageType::GET_VALUE:
      if (directions_[line] == GpioDirection::NONE) return false;
      data[0] = std::byte{values_[line]};
      return true;
    case GpioMessageType::SET_VALUE:
      if (directions_[line] != GpioDirection::OUT || request.value() > 1) return false;
      values_[line] = static_cast<std::uint8_t>(request.value());
      return true;
    default:  // SET_IRQ_TYPE needs VIRTIO_GPIO_F_IRQ, which the device does not offer
      return false;
  }
}

}  // namespace virtio_gpio
