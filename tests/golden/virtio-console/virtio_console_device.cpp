// virtio-console: the device half's handlers (yours; vgen never overwrites this file).
#include "virtio_console_device.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace virtio_console {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void VirtioConsoleDevice::on_transmitq0(std::span<const std::byte> bytes) {
  log("transmitq0: " + std::to_string(bytes.size()) + " bytes: \"" +
      std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()) + "\"");
  send_receiveq0(bytes);  // loopback
}

void VirtioConsoleDevice::on_control_transmitq(const ConsoleControl& message) {
  log("control_transmitq: " + describe(message));
  send_control_receiveq(message);  // loopback
}

}  // namespace virtio_console
