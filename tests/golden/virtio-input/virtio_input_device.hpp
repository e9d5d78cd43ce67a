// virtio-input: the device half. vgen wrote this file once; it is yours to change, and vgen never
// overwrites it. The generated base class (virtio_input_device_base.hpp) does the VirtIO
// work; the handlers here are what the device does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>

#include "virtio_input_device_base.hpp"

namespace virtio_input {

/// The virtio-input device. The default handlers log every message; what the driver sends on a
/// queue comes back on the device-to-driver queue of the same message type (loopback),
/// requests get their data echoed, and device-to-driver queues nothing is echoed on are filled
/// with random bytes (raw) or numbered messages.
class VirtioInputDevice : public VirtioInputDeviceBase {
 protected:
  void on_statusq(const VirtioInputEvent& message) override;
  void on_reset() override { produced_ = 0; }

 private:
  std::mt19937 random_{std::random_device{}()};
  std::uint64_t produced_ = 0;  // messages made up by produce_* since the last reset
};

}  // namespace virtio_input
