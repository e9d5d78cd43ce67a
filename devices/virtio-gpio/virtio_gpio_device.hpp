// virtio-gpio: the device half, a bank of GPIO lines (VirtIO 1.2 §5.17). vgen wrote the first
// version of this file; it is the device's own code and vgen never overwrites it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "virtio_gpio_device_base.hpp"

namespace virtio_gpio {

/// The device's lines by number: two LEDs and a relay to drive, a button and a door contact
/// to read, and three spares.
inline constexpr std::array<std::string_view, 8> kLineNames{"led0", "led1",   "relay",  "button",
                                                            "door", "spare5", "spare6", "spare7"};
/// What the inputs read: the button is pressed (1), the door closed (0), the spares 0.
inline constexpr std::uint16_t kButton = 3;

/// A GPIO bank answering every request of §5.17.6 but SET_IRQ_TYPE (no VIRTIO_GPIO_F_IRQ):
/// the line names, each line's direction and value. Outputs keep what was set; inputs read
/// fixed levels. A request about a line past ngpio, a value for a line that is not an output,
/// or a value other than 0 and 1 is answered with ERR.
class VirtioGpioDevice : public VirtioGpioDeviceBase {
 public:
  /// The lines as after a reset.
  VirtioGpioDevice() { power_on(); }

 protected:
  VirtioGpioConfig config_defaults() const override;
  GpioStatus on_requestq(const GpioRequest& request, std::span<const std::byte> data_in, std::span<std::byte> data_out,
                         std::uint32_t& written) override;
  void on_reset() override { power_on(); }

 private:
  // Every line's direction and value as at power-on: the inputs IN, the others NONE.
  void power_on();
  // The answer to `request`: true for OK, with what goes after the status in `data`.
  bool answer(const GpioRequest& request, std::span<std::byte> data, std::uint32_t& written);

  std::array<GpioDirection, kLineNames.size()> directions_{};
  std::array<std::uint8_t, kLineNames.size()> values_{};
};

}  // namespace virtio_gpio
