// virtio-input: the device half's configuration answers and events.
#include "virtio_input_device.hpp"

#include <linux/input.h>  // BUS_VIRTUAL and <linux/input-event-codes.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace virtio_input {
namespace {

void log(const std::string& line) {
  std::printf("device: %s\n", line.c_str());
  std::fflush(stdout);
}

VirtioInputEvent event(std::uint16_t type, std::uint16_t code, std::uint32_t value) {
  VirtioInputEvent made{};
  made.set_type(type);
  made.set_code(code);
  made.set_value(value);
  return made;
}

// Copies `text` into u.string; returns its length (the answer's size).
std::uint8_t fill_string(VirtioInputConfigU& u, const char* text) {
  const std::size_t length = std::min<std::size_t>(std::strlen(text), 128);
  for (std::size_t i = 0; i < length; ++i) u.set_string(i, static_cast<std::uint8_t>(text[i]));
  return static_cast<std::uint8_t>(length);
}

// Sets bit `code` of u.bitmap; returns the bytes the bitmap needs so far.
std::uint8_t set_bit(VirtioInputConfigU& u, unsigned code, std::uint8_t size) {
  u.set_bitmap(code / 8, static_cast<std::uint8_t>(u.bitmap(code / 8) | (1u << (code % 8))));
  return std::max<std::uint8_t>(size, static_cast<std::uint8_t>(code / 8 + 1));
}

// The answer to select/subsel: u filled, and its size in bytes (0: nothing to say).
std::uint8_t select_answer(VirtioInputConfigSelect select, std::uint8_t subsel, VirtioInputConfigU& u) {
  switch (select) {
    case VirtioInputConfigSelect::ID_NAME:
      return subsel == 0 ? fill_string(u, VirtioInputDevice::kName) : 0;
    case VirtioInputConfigSelect::ID_SERIAL:
      return subsel == 0 ? fill_string(u, VirtioInputDevice::kSerial) : 0;
    case VirtioInputConfigSelect::ID_DEVIDS:
      if (subsel != 0) return 0;
      u.ids().set_bustype(BUS_VIRTUAL);
      u.ids().set_vendor(0x1af4);
      u.ids().set_product(0x0012);
      u.ids().set_version(1);
      return sizeof(VirtioInputDevids);
    case VirtioInputConfigSelect::EV_BITS: {
      std::uint8_t size = 0;
      if (subsel == EV_KEY) {
        for (unsigned key : {KEY_A, KEY_B, KEY_ENTER, KEY_CAPSLOCK, BTN_LEFT, BTN_TOUCH}) size = set_bit(u, key, size);
      } else if (subsel == EV_ABS) {
        size = set_bit(u, ABS_X, size);
        size = set_bit(u, ABS_Y, size);
      } else if (subsel == EV_LED) {
        size = set_bit(u, LED_CAPSL, size);
      }
      return size;
    }
    case VirtioInputConfigSelect::ABS_INFO:
      if (subsel != ABS_X && subsel != ABS_Y) return 0;
      u.abs().set_min(0);
      u.abs().set_max(VirtioInputDevice::kAxisMax);
      u.abs().set_res(subsel == ABS_X ? 128 : 96);
      return sizeof(VirtioInputAbsinfo);
    case VirtioInputConfigSelect::UNSET:
    case VirtioInputConfigSelect::PROP_BITS:
      return 0;
  }
  return 0;  // a select the device does not know
}

}  // namespace

const VirtioInputEvent VirtioInputDevice::kScript[] = {
    event(EV_KEY, KEY_A, 1),      event(EV_SYN, SYN_REPORT, 0), event(EV_KEY, KEY_A, 0),
    event(EV_SYN, SYN_REPORT, 0), event(EV_ABS, ABS_X, 1000),   event(EV_ABS, ABS_Y, 2000),
    event(EV_SYN, SYN_REPORT, 0),
};
const std::size_t VirtioInputDevice::kScriptLength = std::size(kScript);

VirtioInputConfig VirtioInputDevice::config_defaults() const {
  return VirtioInputConfig{};  // select UNSET: size 0
}

std::optional<std::string> VirtioInputDevice::on_config_written(const VirtioInputConfig& config, std::uint32_t offset) {
  if (offset != offsetof(VirtioInputConfig, select_) && offset != offsetof(VirtioInputConfig, subsel_)) {
    return "only select and subsel are written by the driver (VirtIO 1.2 §5.8.6.1)";
  }
  VirtioInputConfig answered{};
  answered.set_select(config.select());
  answered.set_subsel(config.subsel());
  answered.set_size(select_answer(config.select(), config.subsel(), answered.u()));
  if (offset == offsetof(VirtioInputConfig, subsel_)) {  // a query's second write: log it once
    log("config select " + std::to_string(static_cast<unsigned>(config.select())) + " subsel " +
        std::to_string(config.subsel()) + ": " + std::to_string(answered.size()) + " bytes");
  }
  update_config(answered, false);
  return std::nullopt;
}

std::optional<VirtioInputEvent> VirtioInputDevice::produce_eventq() {
  if (produced_ == kScriptLength) return std::nullopt;
  const VirtioInputEvent& next = kScript[produced_++];
  log("eventq: " + describe(next));
  return next;
}

void VirtioInputDevice::on_statusq(const VirtioInputEvent& message) {
  log("statusq: " + describe(message) +
      (message.type() == EV_LED && message.code() == LED_CAPSL
           ? (message.value() ? " (caps lock on)" : " (caps lock off)")
           : ""));
}

}  // namespace virtio_input
