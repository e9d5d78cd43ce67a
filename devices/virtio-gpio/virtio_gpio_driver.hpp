// virtio-gpio: the driver half. vgen wrote the first version of this file; it is the driver's
// own code and vgen never overwrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "virtio_gpio_driver_base.hpp"

namespace virtio_gpio {

/// A virtio-gpio driver that reads the line names, drives an output and reads it back, reads
/// an input, and checks that the device refuses what it must.
class VirtioGpioDriver : public VirtioGpioDriverBase {
 public:
  using VirtioGpioDriverBase::VirtioGpioDriverBase;

  /// The demo run: GET_LINE_NAMES, then direction and value requests. True when every answer
  /// is the one expected.
  bool run_demo();

 protected:
  void on_requestq_reply(const GpioRequest& request, const GpioStatus& reply,
                         std::span<const std::byte> data_in) override;

 private:
  /// What a request must get back: the status and, for an OK with a value, the value.
  struct Expected {
    GpioStatusCode status = GpioStatusCode::OK;
    std::optional<std::uint8_t> value;
  };
  // Sends a request expecting `expected`, with room for `data_bytes` after the status.
  bool request(GpioMessageType type, std::uint16_t gpio, std::uint32_t value, Expected expected,
               std::uint32_t data_bytes = 1);

  std::deque<Expected> expected_;  // in the order the requests went
  std::vector<std::string> names_;
  std::uint64_t answered_ = 0;
  std::uint64_t wrong_ = 0;
};

}  // namespace virtio_gpio
