// The driver's view of a transport (VirtIO 1.2 §4): the operations every transport offers on
// status, feature windows, queue registers, notifications, interrupts and configuration
// space. DriverCore is written once against this interface; the in-process and virtio-mmio
// transports implement it, and so can a vhost-user front end or a test's fake.
#pragma once

#include <cstdint>
#include <string>

#include <vgen/notify/notifier.hpp>
#include <vgen/virtqueue/layout.hpp>

namespace vgen::virtio {

/// One device as a driver reaches it. Each function is one transport operation (on
/// virtio-mmio, one or a few register accesses); none of them checks the driver's own rules,
/// which is DriverCore's job, so a conformance harness can also drive a transport out of
/// order. Errors of the transport itself (a faulted access, a dead peer) throw virtio::Error.
class Transport {
 public:
  virtual ~Transport() = default;

  /// A short description for messages, e.g. "virtio-mmio" or "in-process".
  virtual std::string name() const = 0;
  /// The device type (VIRTIO_ID_*) and the vendor ID.
  virtual std::uint32_t device_id() = 0;
  virtual std::uint32_t vendor_id() = 0;

  /// Reads the device status (§2.1).
  virtual std::uint8_t status() = 0;
  /// Writes the device status; 0 requests a device reset (§2.4).
  virtual void set_status(std::uint8_t status) = 0;

  /// Reads offered feature bits select*32 .. select*32+31 (selects the window first).
  virtual std::uint32_t device_features(std::uint32_t select) = 0;
  /// Writes accepted feature bits select*32 .. select*32+31 (selects the window first).
  virtual void set_driver_features(std::uint32_t select, std::uint32_t value) = 0;

  /// Maximum size of queue `index`; 0 when it is not available.
  virtual std::uint32_t queue_max_size(std::uint16_t index) = 0;
  /// Whether queue `index` is enabled (QueueReady).
  virtual bool queue_ready(std::uint16_t index) = 0;
  /// Tells the device the size of queue `index` (QueueNum).
  virtual void set_queue_size(std::uint16_t index, std::uint32_t size) = 0;
  /// Tells the device where the descriptor, driver and device areas of queue `index` are.
  virtual void set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& addresses) = 0;
  /// Enables (true) or stops (false) queue `index`. A transport whose writes are posted reads
  /// QueueReady back after a stop, to synchronise with the device (§4.2.2.2).
  virtual void set_queue_ready(std::uint16_t index, bool ready) = 0;
  /// Resets queue `index` (§2.6.1) and returns once the device reports the reset complete.
  virtual void reset_queue(std::uint16_t index) = 0;
  /// Sends an available buffer notification for queue `index`.
  virtual void notify(std::uint16_t index) = 0;

  /// Reads the interrupt status (kInterruptUsedBuffer | kInterruptConfigChange).
  virtual std::uint32_t interrupt_status() = 0;
  /// Acknowledges handled interrupt bits.
  virtual void acknowledge_interrupt(std::uint32_t bits) = 0;
  /// The interrupt line: signalled by the device, waited on by the driver.
  virtual notify::Notifier& interrupt() = 0;

  /// Reads the configuration generation (§2.5).
  virtual std::uint32_t config_generation() = 0;
  /// Reads `width` (1, 2 or 4) bytes of configuration space at `offset`, little-endian.
  virtual std::uint32_t read_config(std::uint32_t offset, unsigned width) = 0;
  /// Writes `width` (1, 2 or 4) bytes of configuration space at `offset`.
  virtual void write_config(std::uint32_t offset, unsigned width, std::uint32_t value) = 0;
};

/// Declares Transport's register operations (status() to acknowledge_interrupt(),
/// read_config() and write_config()) as overrides, in a transport that implements every one of
/// them out of line, so that their list is written once, here.
#define VGEN_VIRTIO_TRANSPORT_OPERATIONS                                                                     \
  std::uint8_t status() override;                                                                            \
  void set_status(std::uint8_t status) override;                                                             \
  std::uint32_t device_features(std::uint32_t select) override;                                              \
  void set_driver_features(std::uint32_t select, std::uint32_t value) override;                              \
  std::uint32_t queue_max_size(std::uint16_t index) override;                                                \
  bool queue_ready(std::uint16_t index) override;                                                            \
  void set_queue_size(std::uint16_t index, std::uint32_t size) override;                                     \
  void set_queue_addresses(std::uint16_t index, const ::vgen::virtqueue::RingAddresses& addresses) override; \
  void set_queue_ready(std::uint16_t index, bool ready) override;                                            \
  void reset_queue(std::uint16_t index) override;                                                            \
  void notify(std::uint16_t index) override;                                                                 \
  std::uint32_t interrupt_status() override;                                                                 \
  void acknowledge_interrupt(std::uint32_t bits) override;                                                   \
  std::uint32_t read_config(std::uint32_t offset, unsigned width) override;                                  \
  void write_config(std::uint32_t offset, unsigned width, std::uint32_t value) override;

}  // namespace vgen::virtio
