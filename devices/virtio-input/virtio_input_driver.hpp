// virtio-input: the driver half. It queries the device's configuration as Linux's
// virtio_input driver does (VirtIO 1.2 §5.8.6.2: write select and subsel, read size and u),
// keeps eventq's buffers posted and checks each event against the device's script.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "virtio_input_driver_base.hpp"

namespace virtio_input {

/// The virtio-input driver: run_demo() reads the name, serial, IDs, event bitmaps and axis
/// ranges, sets the caps lock LED on statusq, and waits for the device's events.
class VirtioInputDriver : public VirtioInputDriverBase {
 public:
  using VirtioInputDriverBase::VirtioInputDriverBase;

  /// The demo run; true when every query was answered as the device describes itself and
  /// every event of its script came, in order.
  bool run_demo();

 protected:
  void on_started() override;
  void on_eventq(const VirtioInputEvent& message) override;

 private:
  // Writes select and subsel and reads the answer back (§5.8.6.2).
  VirtioInputConfig query(VirtioInputConfigSelect select, std::uint8_t subsel);
  // The answer to select/subsel as a string (ID_NAME, ID_SERIAL).
  std::string query_string(VirtioInputConfigSelect select);
  // True if the EV_BITS bitmap of event type `type` has bit `code`.
  bool has_code(std::uint8_t type, unsigned code);

  std::size_t received_ = 0;    // events that came
  std::size_t mismatches_ = 0;  // events that differ from the device's script
};

}  // namespace virtio_input
