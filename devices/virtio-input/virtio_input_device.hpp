// virtio-input: the device half, a keyboard with an absolute pointer (a tablet). It answers
// the driver's configuration queries (VirtIO 1.2 §5.8.5: select and subsel in, size and the
// union u out) and reports a scripted burst of key and pointer events on eventq.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "virtio_input_device_base.hpp"

namespace virtio_input {

/// The virtio-input device: its name, serial, IDs, event bitmaps and axis ranges are what
/// the configuration space answers; eventq carries kScript (a key press and release, then a
/// pointer move, each ended by a SYN_REPORT) once per reset; statusq updates are logged.
class VirtioInputDevice : public VirtioInputDeviceBase {
 public:
  /// ID_NAME's answer.
  static constexpr const char* kName = "vgen virtio-input keyboard+tablet";
  /// ID_SERIAL's answer.
  static constexpr const char* kSerial = "vgen-input-0001";
  /// The largest value of ABS_X and ABS_Y.
  static constexpr std::uint32_t kAxisMax = 32767;

  /// The events eventq carries after a reset, in order.
  static const VirtioInputEvent kScript[];
  /// How many events kScript holds.
  static const std::size_t kScriptLength;

 protected:
  VirtioInputConfig config_defaults() const override;
  /// VirtIO 1.2 §5.8.6.1: select and subsel are the only fields the driver writes; each write
  /// fills size and u with the answer (size 0 when the device has none).
  std::optional<std::string> on_config_written(const VirtioInputConfig& config, std::uint32_t offset) override;
  std::optional<VirtioInputEvent> produce_eventq() override;
  void on_statusq(const VirtioInputEvent& message) override;
  void on_reset() override { produced_ = 0; }

 private:
  std::size_t produced_ = 0;  // events of kScript sent since the last reset
};

}  // namespace virtio_input
