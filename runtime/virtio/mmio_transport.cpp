#include <vgen/virtio/mmio_transport.hpp>

#include <thread>
#include <utility>

#include <vgen/format.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/mmio_registers.hpp>

namespace vgen::virtio {
namespace {

std::string register_text(std::uint32_t offset) {
  if (offset >= mmio::kConfig) return "config offset " + std::to_string(offset - mmio::kConfig);
  return std::string(mmio::register_info(offset).name) + " (" + hex(offset) + ")";
}

}  // namespace

std::unique_ptr<MmioTransport> MmioTransport::discover(MmioBus& bus, notify::Notifier& interrupt, std::string name) {
  // §4.2.3.1.1: magic and version first; a device failing either is ignored (here: reported).
  const std::uint32_t magic = checked_read(bus, name, mmio::kMagicValue, 4);
  if (magic != mmio::kMagic) {
    throw Error(ErrorCode::BadMagic, name + ": MagicValue " + hex(magic) + " is not " + hex(mmio::kMagic) +
                                         " (\"virt\"); not a virtio-mmio device");
  }
  const std::uint32_t version = checked_read(bus, name, mmio::kVersion, 4);
  if (version != mmio::kDeviceVersion) {
    throw Error(ErrorCode::BadVersion, name + ": Version " + std::to_string(version) + " is not 2" +
                                           (version == 1 ? " (a legacy device, which vgen does not drive)" : ""));
  }
  // DeviceID 0 is a placeholder: abort without an error and touch no other register.
  const std::uint32_t device_id = checked_read(bus, name, mmio::kDeviceId, 4);
  if (device_id == 0) return nullptr;
  const std::uint32_t vendor_id = checked_read(bus, name, mmio::kVendorId, 4);
  return std::unique_ptr<MmioTransport>(new MmioTransport(bus, interrupt, std::move(name), device_id, vendor_id));
}

MmioTransport::MmioTransport(MmioBus& bus, notify::Notifier& interrupt, std::string name, std::uint32_t device_id,
                             std::uint32_t vendor_id)
    : bus_(bus), interrupt_(interrupt), name_(std::move(name)), device_id_(device_id), vendor_id_(vendor_id) {}

std::uint32_t MmioTransport::checked_read(MmioBus& bus, const std::string& name, std::uint32_t offset, unsigned width) {
  const AccessResult result = bus.read(offset, width);
  if (result.fault != AccessFault::None) {
    throw Error(ErrorCode::RegisterFault,
                name + ": the device faulted the read of " + register_text(offset) + ": " + to_string(result.fault));
  }
  return result.value;
}

void MmioTransport::write(std::uint32_t offset, std::uint32_t value, unsigned width) {
  const AccessResult result = bus_.write(offset, width, value);
  if (result.fault != AccessFault::None) {
    throw Error(ErrorCode::RegisterFault, name_ + ": the device faulted the write of " + hex(value) + " to " +
                                              register_text(offset) + ": " + to_string(result.fault));
  }
}

void MmioTransport::select_queue(std::uint16_t index) { write(mmio::kQueueSel, index); }

std::uint8_t MmioTransport::status() { return static_cast<std::uint8_t>(read(mmio::kStatus) & 0xff); }

void MmioTransport::set_status(std::uint8_t status) { write(mmio::kStatus, status); }

std::uint32_t MmioTransport::device_features(std::uint32_t select) {
  // §4.2.2.2: DeviceFeaturesSel is written before every DeviceFeatures read.
  write(mmio::kDeviceFeaturesSel, select);
  return read(mmio::kDeviceFeatures);
}

void MmioTransport::set_driver_features(std::uint32_t select, std::uint32_t value) {
  write(mmio::kDriverFeaturesSel, select);
  write(mmio::kDriverFeatures, value);
}

std::uint32_t MmioTransport::queue_max_size(std::uint16_t index) {
  select_queue(index);
  return read(mmio::kQueueNumMax);
}

bool MmioTransport::queue_ready(std::uint16_t index) {
  select_queue(index);
  return read(mmio::kQueueReady) != 0;
}

void MmioTransport::set_queue_size(std::uint16_t index, std::uint32_t size) {
  select_queue(index);
  write(mmio::kQueueNum, size);
}

void MmioTransport::set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& addresses) {
  select_queue(index);
  const auto low = [](std::uint64_t address) { return static_cast<std::uint32_t>(address); };
  const auto high = [](std::uint64_t address) { return static_cast<std::uint32_t>(address >> 32); };
  write(mmio::kQueueDescLow, low(addresses.desc));
  write(mmio::kQueueDescHigh, high(addresses.desc));
  write(mmio::kQueueDriverLow, low(addresses.avail));
  write(mmio::kQueueDriverHigh, high(addresses.avail));
  write(mmio::kQueueDeviceLow, low(addresses.used));
  write(mmio::kQueueDeviceHigh, high(addresses.used));
}

void MmioTransport::set_queue_ready(std::uint16_t index, bool ready) {
  select_queue(index);
  write(mmio::kQueueReady, ready ? 1 : 0);
  // §4.2.2.2: to stop using a queue, write 0 and read the value back to synchronise.
  if (!ready) read(mmio::kQueueReady);
}

void MmioTransport::reset_queue(std::uint16_t index) {
  select_queue(index);
  write(mmio::kQueueReset, 1);
  // §4.2.2.2: the reset is complete only once QueueReset reads back 0.
  for (unsigned poll = 0; poll < kQueueResetPolls; ++poll) {
    if (read(mmio::kQueueReset) == 0) return;
    std::this_thread::yield();
  }
  throw Error(ErrorCode::Timeout, name_ + ": QueueReset of queue " + std::to_string(index) + " never read back 0");
}

void MmioTransport::notify(std::uint16_t index) { write(mmio::kQueueNotify, index); }

std::uint32_t MmioTransport::interrupt_status() { return read(mmio::kInterruptStatus); }

void MmioTransport::acknowledge_interrupt(std::uint32_t bits) { write(mmio::kInterruptAck, bits); }

std::uint32_t MmioTransport::config_generation() { return read(mmio::kConfigGeneration); }

std::uint32_t MmioTransport::read_config(std::uint32_t offset, unsigned width) {
  return read(mmio::kConfig + offset, width);
}

void MmioTransport::write_config(std::uint32_t offset, unsigned width, std::uint32_t value) {
  write(mmio::kConfig + offset, value, width);
}

}  // namespace vgen::virtio
