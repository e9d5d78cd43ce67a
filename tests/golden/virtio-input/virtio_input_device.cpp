// virtio-input: the device half's handlers (yours; vgen never overwrites this file).
#include "virtio_input_device.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace virtio_input {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void VirtioInputDevice::on_statusq(const VirtioInputEvent& message) {
  log("statusq: " + describe(message));
  send_eventq(message);  // loopback
}

}  // namespace virtio_input
