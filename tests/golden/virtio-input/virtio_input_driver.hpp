// virtio-input: the driver half. vgen wrote this file once; it is yours to change, and vgen never
// overwrites it. The generated base class (virtio_input_driver_base.hpp) does the VirtIO
// work; the handlers here decide what the driver does with what the device returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "virtio_input_driver_base.hpp"

namespace virtio_input {

/// The virtio-input driver. The default handlers log every message and count it, and
/// run_demo() exercises every queue.
class VirtioInputDriver : public VirtioInputDriverBase {
 public:
  using VirtioInputDriverBase::VirtioInputDriverBase;

  /// The demo run: the base's send_demo_traffic() sends three messages or requests on each
  /// queue to the device and asks for three buffers on each device-to-driver queue nothing is
  /// echoed on; then run_demo() waits for every answer. True when all came back in time.
  bool run_demo();

 protected:
  void on_eventq(const VirtioInputEvent& message) override;

 private:
  std::uint64_t expected_ = 0;  // answers run_demo() waits for
  std::uint64_t received_ = 0;  // answers that came
};

}  // namespace virtio_input
