// The in-process transport: driver and device in one process, every transport operation a
// direct call into the DeviceCore, every interrupt a callback (and a wake-up for a waiter).
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include <vgen/notify/callback.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/transport.hpp>

namespace vgen::virtio {

/// Connects a driver to a DeviceCore in the same process. Construction installs this
/// transport's interrupt line in the core; destruction removes it. Errors the core raises for
/// rejected accesses (virtio::Error(Rejected)) reach the driver as they are.
class InProcessTransport final : public Transport {
 public:
  /// `device` must outlive the transport.
  explicit InProcessTransport(DeviceCore& device);
  ~InProcessTransport() override;
  InProcessTransport(const InProcessTransport&) = delete;
  InProcessTransport& operator=(const InProcessTransport&) = delete;

  /// Runs `handler` on the device's thread for every interrupt, after the device released its
  /// lock (so the handler may use the transport). Empty: no callback, waiters are still woken.
  void set_interrupt_handler(std::function<void()> handler);
  /// The core this transport drives.
  DeviceCore& device() noexcept { return device_; }

  std::string name() const override { return "in-process"; }
  std::uint32_t device_id() override { return device_.identity().device_id; }
  std::uint32_t vendor_id() override { return device_.identity().vendor_id; }
  std::uint8_t status() override { return device_.status(); }
  void set_status(std::uint8_t status) override { device_.set_status(status); }
  std::uint32_t device_features(std::uint32_t select) override { return device_.device_features(select); }
  void set_driver_features(std::uint32_t select, std::uint32_t value) override {
    device_.set_driver_features(select, value);
  }
  std::uint32_t queue_max_size(std::uint16_t index) override { return device_.queue_max_size(index); }
  bool queue_ready(std::uint16_t index) override { return device_.queue_ready(index); }
  void set_queue_size(std::uint16_t index, std::uint32_t size) override { device_.set_queue_size(index, size); }
  void set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& addresses) override {
    device_.set_queue_addresses(index, addresses);
  }
  void set_queue_ready(std::uint16_t index, bool ready) override { device_.set_queue_ready(index, ready); }
  void reset_queue(std::uint16_t index) override { device_.reset_queue(index); }
  void notify(std::uint16_t index) override { device_.notify_queue(index); }
  std::uint32_t interrupt_status() override { return device_.interrupt_status(); }
  void acknowledge_interrupt(std::uint32_t bits) override { device_.acknowledge_interrupt(bits); }
  notify::Notifier& interrupt() override { return interrupt_; }
  std::uint32_t config_generation() override { return device_.config_generation(); }
  std::uint32_t read_config(std::uint32_t offset, unsigned width) override {
    return device_.read_config(offset, width);
  }
  void write_config(std::uint32_t offset, unsigned width, std::uint32_t value) override {
    device_.write_config(offset, width, value);
  }

 private:
  void on_interrupt();

  DeviceCore& device_;
  std::mutex handler_mutex_;
  std::function<void()> handler_;
  notify::CallbackNotifier interrupt_;
};

}  // namespace vgen::virtio
