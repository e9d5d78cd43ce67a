// Test support: a VirtIO pair in one process over the in-process transport, so that a test
// drives the driver half and watches the device half's handlers without shared windows,
// threads or processes. Every queue notification runs the device at once, on the caller's
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <vgen/halves/handler_check.hpp>
#include <vgen/testing/guest_ram.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/in_process.hpp>

namespace vgen::testing {

/// `Device` (default constructible, a virtio::DeviceModel) and `Driver` (constructible from a
/// transport, guest memory and an allocator, with start() and run_until()) connected in this
/// process: the shape of vgen's generated halves.
template <class Driver, class Device>
class VirtioHarness {
  // First, so that a half lacking a handler is reported as such, not as an abstract member.
  static_assert(halves::overrides_handlers<Driver>() && halves::overrides_handlers<Device>());

 public:
  /// Connects a fresh device and driver; start() initialises the device.
  VirtioHarness()
      : core_(ram_.memory(), device_), transport_(core_), driver_(transport_, ram_.memory(), ram_.allocator()) {}

  /// Initialises the device through the driver (VirtIO 1.2 §3.1.1); the negotiated features.
  std::uint64_t start() { return driver_.start(); }
  /// Polls the driver until `done()` or `timeout`; returns `done()`.
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds timeout = std::chrono::seconds(5)) {
    return driver_.run_until(done, timeout);
  }

  /// The driver half.
  Driver& driver() noexcept { return driver_; }
  /// The device half (its handlers run on the caller's thread, inside the driver's calls).
  Device& device() noexcept { return device_; }
  /// The device core: status, rejected accesses, configuration.
  virtio::DeviceCore& core() noexcept { return core_; }
  /// The guest memory the rings and buffers are in.
  GuestRam& ram() noexcept { return ram_; }

 private:
  GuestRam ram_;
  Device device_;
  virtio::DeviceCore core_;
  virtio::InProcessTransport transport_;
  Driver driver_;
};

}  // namespace vgen::testing
