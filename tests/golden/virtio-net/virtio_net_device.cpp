// virtio-net: the device half's handlers (yours; vgen never overwrites this file).
#include "virtio_net_device.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace virtio_net {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void VirtioNetDevice::on_transmitq(const NetHdrV1& message, std::span<const std::byte> data) {
  log("transmitq: " + describe(message) + " with \"" +
      std::string(reinterpret_cast<const char*>(data.data()), data.size()) + "\"");
  send_receiveq(message, data);  // loopback
}

NetCtrlAck VirtioNetDevice::on_controlq(const NetCtrlHeader& request, std::span<const std::byte> data_in,
                                        std::span<std::byte> data_out, std::uint32_t& written) {
  // Loopback: the data the driver sent comes back as the data it reads.
  const std::size_t size = std::min(data_in.size(), data_out.size());
  if (size > 0) std::memcpy(data_out.data(), data_in.data(), size);
  written = static_cast<std::uint32_t>(size);
  log("controlq: " + describe(request) + ", " + std::to_string(data_in.size()) + " bytes echoed");
  return {};
}

}  // namespace virtio_net
