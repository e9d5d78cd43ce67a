// The driver side of virtio-mmio (VirtIO 1.2 §4.2): the Transport operations as 32-bit
// register accesses on an MmioBus, following §4.2.2.2 and §4.2.3 (magic and version checked
// first, DeviceID 0 ignored, selectors written before windowed accesses, QueueReady read back
// after a stop, QueueReset polled until done).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/transport.hpp>

namespace vgen::virtio {

/// A virtio-mmio device as a driver reaches it. An access the device faults throws
/// virtio::Error(RegisterFault) naming the register; a faithful driver never causes one.
class MmioTransport final : public Transport {
 public:
  /// Reads of QueueReset after a queue reset before virtio::Error(Timeout).
  static constexpr unsigned kQueueResetPolls = 10000;

  /// §4.2.3.1.1: reads MagicValue and Version first (BadMagic / BadVersion: the device must be
  /// ignored), then DeviceID: 0 marks a placeholder, which is ignored silently by returning
  /// null without touching any other register. Otherwise reads VendorID and returns the
  /// transport. `bus` and `interrupt` (the device's interrupt line) must outlive it.
  static std::unique_ptr<MmioTransport> discover(MmioBus& bus, notify::Notifier& interrupt,
                                                 std::string name = "virtio-mmio");

  std::string name() const override { return name_; }
  std::uint32_t device_id() override { return device_id_; }
  std::uint32_t vendor_id() override { return vendor_id_; }
  notify::Notifier& interrupt() override { return interrupt_; }
  std::uint32_t config_generation() override;
  VGEN_VIRTIO_TRANSPORT_OPERATIONS

  /// The bus the accesses go over.
  MmioBus& bus() noexcept { return bus_; }

 private:
  MmioTransport(MmioBus& bus, notify::Notifier& interrupt, std::string name, std::uint32_t device_id,
                std::uint32_t vendor_id);
  static std::uint32_t checked_read(MmioBus& bus, const std::string& name, std::uint32_t offset, unsigned width);
  std::uint32_t read(std::uint32_t offset, unsigned width = 4) { return checked_read(bus_, name_, offset, width); }
  void write(std::uint32_t offset, std::uint32_t value, unsigned width = 4);
  void select_queue(std::uint16_t index);

  MmioBus& bus_;
  notify::Notifier& interrupt_;
  std::string name_;
  std::uint32_t device_id_;
  std::uint32_t vendor_id_;
};

}  // namespace vgen::virtio
