// Test support: a VirtIO device half on its own, with the test as its driver. The harness
// brings the device live the way a driver does (VirtIO 1.2 §3.1.1: status, features, one
// ring per queue, DRIVER_OK), each ring in test memory, and hands the test a ChainBuilder per
// queue: the test writes faithful or hostile chains, notifies the queue, and looks at what
// the device returned and at its status (DEVICE_NEEDS_RESET after hostile input, §2.1.2).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <vgen/halves/handler_check.hpp>
#include <vgen/testing/chain_builder.hpp>
#include <vgen/testing/guest_ram.hpp>
#include <vgen/virtio/device_core.hpp>

namespace vgen::testing {

/// A DeviceCore over `model`, initialised by register calls, with a ChainBuilder per queue.
class DeviceDriverStub {
 public:
  /// Accepts `features` of what `model` offers (VERSION_1 is always kept) and sets up every
  /// queue of `queue_sizes` whose size is not 0, at that size. `model` must outlive the stub.
  /// Throws virtio::Error when the device refuses a step.
  DeviceDriverStub(virtio::DeviceModel& model, std::uint64_t features);

  /// The driver's side of queue `index` (std::out_of_range for a queue not set up).
  ChainBuilder& queue(std::uint16_t index);
  /// QueueNotify for queue `index`: the device takes what is available. A hostile chain makes
  /// the device set DEVICE_NEEDS_RESET rather than throw.
  void notify(std::uint16_t index) { core_.notify_queue(index); }
  /// True once the device asked for a reset (§2.1.2).
  bool needs_reset() { return (core_.status() & virtio::kStatusDeviceNeedsReset) != 0; }

  /// The device core the stub drives.
  virtio::DeviceCore& core() noexcept { return core_; }
  /// The guest memory the rings and buffers are in.
  GuestRam& ram() noexcept { return ram_; }

 private:
  GuestRam ram_;
  virtio::DeviceCore core_;
  std::vector<std::unique_ptr<ChainBuilder>> queues_;
};

/// `Device` (default constructible, a vgen::halves::VirtioDevice or any virtio::DeviceModel
/// with a kSpec) made live by a DeviceDriverStub.
template <class Device>
class VirtioDeviceHarness {
  // First, so that a device lacking a handler is reported as such, not as an abstract member.
  static_assert(halves::overrides_handlers<Device>());

 public:
  /// Negotiates `features` (default: every feature the device offers).
  explicit VirtioDeviceHarness(std::uint64_t features = Device::kSpec.offered_features) : stub_(device_, features) {}

  /// See DeviceDriverStub.
  ChainBuilder& queue(std::uint16_t index) { return stub_.queue(index); }
  void notify(std::uint16_t index) { stub_.notify(index); }
  bool needs_reset() { return stub_.needs_reset(); }
  /// A buffer in test memory holding the bytes of `message` (a generated struct).
  template <class Message>
  virtqueue::Buffer buffer_with(const Message& message) {
    return stub_.ram().buffer_with(std::as_bytes(std::span(&message, 1)));
  }

  /// A queue's first check: one chain of `buffer` for the device on queue `index`, notified.
  /// True when the device gave the chain back used and asked for no reset.
  bool takes(std::uint16_t index, const virtqueue::Buffer& buffer) {
    const virtqueue::Buffer readable[] = {buffer};
    queue(index).add(readable, {});
    notify(index);
    return queue(index).take_used().size() == 1 && !needs_reset();
  }
  /// takes() with a buffer holding `message` (a generated struct).
  template <class Message>
  bool takes_message(std::uint16_t index, const Message& message) {
    return takes(index, buffer_with(message));
  }
  /// takes() with a buffer of `size` bytes 'x', for a queue of raw bytes.
  bool takes_bytes(std::uint16_t index, std::size_t size) { return takes(index, ram().buffer(size, std::byte{'x'})); }
  /// A queue's second check: a chain that loops (VirtIO 1.2 §2.7.5.2) on queue `index`,
  /// notified. True when the device asked for a reset (§2.1.2).
  bool refuses_loop(std::uint16_t index) {
    queue(index).add_loop(3);
    notify(index);
    return needs_reset();
  }

  /// A bounded queue's third check: a chain one byte longer than the queue's buffer (its
  /// buffer_size, or the message and max_data bytes of data) on queue `index`, notified. True
  /// when the device gave it back unused, counted it as malformed and asked for no reset.
  bool refuses_past_bound(std::uint16_t index) {
    const auto& spec = device_.spec().queues[index];  // the generated halves' QueueSpec
    const std::uint64_t before = device_.malformed();
    const virtqueue::Buffer readable[] = {
        ram().buffer(spec.message_bytes + (spec.raw ? 0 : spec.data_bytes) + 1, std::byte{'x'})};
    queue(index).add(readable, {});
    notify(index);
    const auto used = queue(index).take_used();
    return used.size() == 1 && used[0].len == 0 && device_.malformed() == before + 1 && !needs_reset();
  }

  /// The device half.
  Device& device() noexcept { return device_; }
  /// Its core: status, rejected accesses, run() for work outside a notification.
  virtio::DeviceCore& core() noexcept { return stub_.core(); }
  /// The guest memory the rings and buffers are in.
  GuestRam& ram() noexcept { return stub_.ram(); }

 private:
  Device device_;
  DeviceDriverStub stub_;
};

}  // namespace vgen::testing
