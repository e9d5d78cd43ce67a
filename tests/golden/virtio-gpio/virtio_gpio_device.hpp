// virtio-gpio: the device half. vgen wrote this file once; it is yours to change, and vgen never
// overwrites it. The generated base class (virtio_gpio_device_base.hpp) does the VirtIO
// work; the handlers here are what the device does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>

#include "virtio_gpio_device_base.hpp"

namespace virtio_gpio {

/// The virtio-gpio device. The default handlers log every message; what the driver sends on a
/// queue comes back on the device-to-driver queue of the same message type (loopback),
/// requests get their data echoed, and device-to-driver queues nothing is echoed on are filled
/// with random bytes (raw) or numbered messages.
class VirtioGpioDevice : public VirtioGpioDeviceBase {
 protected:
  GpioStatus on_requestq(const GpioRequest& request, std::span<const std::byte> data_in, std::span<std::byte> data_out,
                         std::uint32_t& written) override;
  void on_reset() override { produced_ = 0; }

 private:
  std::mt19937 random_{std::random_device{}()};
  std::uint64_t produced_ = 0;  // messages made up by produce_* since the last reset
};

}  // namespace virtio_gpio
