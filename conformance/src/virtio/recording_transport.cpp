// Recording the in-process transport's operations as register accesses.
#include "recording_transport.hpp"

#include <vgen/virtio/error.hpp>
#include <vgen/virtio/mmio_registers.hpp>

namespace vgen::conform::virtio_checks {
namespace {

namespace m = virtio::mmio;

}  // namespace

template <class Op>
void RecordingTransport::record(Access& a, Op&& op) {
  observer_.before(a);
  if (a.write)
    behaviour_.before_write(a);
  else
    behaviour_.before_read(a);
  try {
    op();
  } catch (const virtio::Error&) {
    a.fault = virtio::AccessFault::Rejected;
    observer_.after(a);
    throw;
  }
  observer_.after(a);
  behaviour_.after(a);
}

template <class Op>
std::uint32_t RecordingTransport::read(std::uint32_t offset, unsigned width, Op&& op, bool synthetic) {
  Access a{offset, width, false, 0, virtio::AccessFault::None, synthetic};
  record(a, [&] { a.value = behaviour_.answer(a, static_cast<std::uint32_t>(op())); });
  return a.value;
}

template <class Op>
void RecordingTransport::write(std::uint32_t offset, unsigned width, std::uint32_t value, Op&& op, bool synthetic) {
  Access a{offset, width, true, value, virtio::AccessFault::None, synthetic};
  record(a, op);
}

void RecordingTransport::select_queue(std::uint16_t index) {
  write(m::kQueueSel, 4, index, [] {});
}

std::uint32_t RecordingTransport::device_id() {
  return read(m::kDeviceId, 4, [&] { return inner_.device_id(); });
}
std::uint32_t RecordingTransport::vendor_id() {
  return read(m::kVendorId, 4, [&] { return inner_.vendor_id(); });
}
std::uint8_t RecordingTransport::status() {
  return static_cast<std::uint8_t>(read(m::kStatus, 4, [&] { return inner_.status(); }));
}
void RecordingTransport::set_status(std::uint8_t status) {
  write(m::kStatus, 4, status, [&] { inner_.set_status(status); });
}

std::uint32_t RecordingTransport::device_features(std::uint32_t select) {
  write(m::kDeviceFeaturesSel, 4, select, [] {});
  return read(m::kDeviceFeatures, 4, [&] { return inner_.device_features(select); });
}

void RecordingTransport::set_driver_features(std::uint32_t select, std::uint32_t value) {
  write(m::kDriverFeaturesSel, 4, select, [] {});
  write(m::kDriverFeatures, 4, value, [&] { inner_.set_driver_features(select, value); });
}

std::uint32_t RecordingTransport::queue_max_size(std::uint16_t index) {
  select_queue(index);
  return read(m::kQueueNumMax, 4, [&] { return inner_.queue_max_size(index); });
}

bool RecordingTransport::queue_ready(std::uint16_t index) {
  select_queue(index);
  return read(m::kQueueReady, 4, [&] { return inner_.queue_ready(index) ? 1u : 0u; }) != 0;
}

void RecordingTransport::set_queue_size(std::uint16_t index, std::uint32_t size) {
  select_queue(index);
  write(m::kQueueNum, 4, size, [&] { inner_.set_queue_size(index, size); });
}

void RecordingTransport::set_queue_addresses(std::uint16_t index, const virtqueue::RingAddresses& a) {
  select_queue(index);
  write(m::kQueueDescLow, 4, static_cast<std::uint32_t>(a.desc), [] {});
  write(m::kQueueDescHigh, 4, static_cast<std::uint32_t>(a.desc >> 32), [] {});
  write(m::kQueueDriverLow, 4, static_cast<std::uint32_t>(a.avail), [] {});
  write(m::kQueueDriverHigh, 4, static_cast<std::uint32_t>(a.avail >> 32), [] {});
  write(m::kQueueDeviceLow, 4, static_cast<std::uint32_t>(a.used), [] {});
  write(m::kQueueDeviceHigh, 4, static_cast<std::uint32_t>(a.used >> 32),
        [&] { inner_.set_queue_addresses(index, a); });
}

void RecordingTransport::set_queue_ready(std::uint16_t index, bool ready) {
  select_queue(index);
  write(m::kQueueReady, 4, ready ? 1 : 0, [&] { inner_.set_queue_ready(index, ready); });
}

void RecordingTransport::reset_queue(std::uint16_t index) {
  select_queue(index);
  write(m::kQueueReset, 4, 1, [&] { inner_.reset_queue(index); });
  read(m::kQueueReset, 4, [] { return 0u; });
}

void RecordingTransport::notify(std::uint16_t index) {
  write(m::kQueueNotify, 4, index, [&] { inner_.notify(index); });
}
std::uint32_t RecordingTransport::interrupt_status() {
  return read(m::kInterruptStatus, 4, [&] { return inner_.interrupt_status(); });
}

void RecordingTransport::acknowledge_interrupt(std::uint32_t bits) {
  write(m::kInterruptAck, 4, bits, [&] { inner_.acknowledge_interrupt(bits); });
}

std::uint32_t RecordingTransport::config_generation() {
  return read(m::kConfigGeneration, 4, [&] { return inner_.config_generation(); });
}

std::uint32_t RecordingTransport::read_config(std::uint32_t offset, unsigned width) {
  return read(
      m::kConfig + offset, width, [&] { return inner_.read_config(offset, width); }, false);
}

void RecordingTransport::write_config(std::uint32_t offset, unsigned width, std::uint32_t value) {
  write(
      m::kConfig + offset, width, value, [&] { inner_.write_config(offset, width, value); }, false);
}

}  // namespace vgen::conform::virtio_checks
