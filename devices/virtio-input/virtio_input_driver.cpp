// virtio-input: the driver half's configuration queries and event handling.
#include "virtio_input_driver.hpp"

#include <linux/input.h>  // BUS_VIRTUAL and <linux/input-event-codes.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vgen/virtio/error.hpp>

#include "virtio_input_device.hpp"

namespace virtio_input {
namespace {

void log(const std::string& line) {
  std::printf("driver: %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

void VirtioInputDriver::on_started() {
  post_eventq(kQueueEventqSize);  // events come whenever the device has them
}

VirtioInputConfig VirtioInputDriver::query(VirtioInputConfigSelect select, std::uint8_t subsel) {
  core().write_config(offsetof(VirtioInputConfig, select_), 1, static_cast<std::uint8_t>(select));
  core().write_config(offsetof(VirtioInputConfig, subsel_), 1, subsel);
  VirtioInputConfig config = read_config();
  // VirtIO 1.2 §5.8.4: size counts the valid bytes of the union u; a larger size is the
  // device's error, refused here rather than read past u.
  if (config.size() > sizeof(VirtioInputConfigU))
    throw vgen::virtio::Error(vgen::virtio::ErrorCode::Rejected,
                              "virtio-input driver: config select " + std::to_string(static_cast<unsigned>(select)) +
                                  " subsel " + std::to_string(subsel) + ": size " + std::to_string(config.size()) +
                                  " exceeds the " + std::to_string(sizeof(VirtioInputConfigU)) + "-byte union");
  return config;
}

std::string VirtioInputDriver::query_string(VirtioInputConfigSelect select) {
  const VirtioInputConfig config = query(select, 0);
  std::string text;
  for (std::size_t i = 0; i < config.size(); ++i) text += static_cast<char>(config.u().string(i));
  return text;
}

bool VirtioInputDriver::has_code(std::uint8_t type, unsigned code) {
  const VirtioInputConfig config = query(VirtioInputConfigSelect::EV_BITS, type);
  return code / 8 < config.size() && (config.u().bitmap(code / 8) & (1u << (code % 8))) != 0;
}

bool VirtioInputDriver::run_demo() {
  received_ = 0;
  mismatches_ = 0;
  bool described = true;
  const std::string name = query_string(VirtioInputConfigSelect::ID_NAME);
  const std::string serial = query_string(VirtioInputConfigSelect::ID_SERIAL);
  log("config name \"" + name + "\", serial \"" + serial + "\"");
  described = described && name == VirtioInputDevice::kName && serial == VirtioInputDevice::kSerial;

  const VirtioInputConfig ids = query(VirtioInputConfigSelect::ID_DEVIDS, 0);
  log("config ids (" + std::to_string(ids.size()) + " bytes): " + describe(ids.u().ids()));
  described = described && ids.size() == sizeof(VirtioInputDevids) && ids.u().ids().bustype() == BUS_VIRTUAL;

  const bool keys = has_code(EV_KEY, KEY_A) && has_code(EV_KEY, KEY_ENTER) && !has_code(EV_KEY, KEY_Z);
  const bool axes = has_code(EV_ABS, ABS_X) && has_code(EV_ABS, ABS_Y) && !has_code(EV_ABS, ABS_PRESSURE);
  const bool leds = has_code(EV_LED, LED_CAPSL);
  log(std::string("config ev bits: KEY_A KEY_ENTER ") + (keys ? "set" : "missing") + ", ABS_X ABS_Y " +
      (axes ? "set" : "missing") + ", LED_CAPSL " + (leds ? "set" : "missing"));
  described = described && keys && axes && leds;

  const VirtioInputConfig x = query(VirtioInputConfigSelect::ABS_INFO, ABS_X);
  const VirtioInputConfig pressure = query(VirtioInputConfigSelect::ABS_INFO, ABS_PRESSURE);
  log("config abs x (" + std::to_string(x.size()) + " bytes): " + describe(x.u().abs()) + "; abs pressure " +
      std::to_string(pressure.size()) + " bytes");
  described = described && x.size() == sizeof(VirtioInputAbsinfo) && x.u().abs().max() == VirtioInputDevice::kAxisMax &&
              pressure.size() == 0;

  VirtioInputEvent led{};
  led.set_type(EV_LED);
  led.set_code(LED_CAPSL);
  led.set_value(1);
  const bool sent = send_statusq(led);
  log("sent on statusq: " + describe(led));

  const bool complete =
      run_until([this] { return received_ >= VirtioInputDevice::kScriptLength; }, std::chrono::seconds(10));
  log("demo " + std::string(complete && described && sent && mismatches_ == 0 ? "complete" : "incomplete") + ": " +
      std::to_string(received_) + " of " + std::to_string(VirtioInputDevice::kScriptLength) + " events, " +
      std::to_string(mismatches_) + " unexpected, configuration " + (described ? "as described" : "wrong"));
  return complete && described && sent && mismatches_ == 0;
}

void VirtioInputDriver::on_eventq(const VirtioInputEvent& message) {
  const bool expected = received_ < VirtioInputDevice::kScriptLength &&
                        std::memcmp(&message, &VirtioInputDevice::kScript[received_], sizeof message) == 0;
  log("event " + describe(message) + (expected ? "" : " (unexpected)"));
  if (!expected) ++mismatches_;
  ++received_;
  post_eventq(1);  // give the buffer back
}

}  // namespace virtio_input
