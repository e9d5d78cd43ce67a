#include "loopback_device.hpp"

#include <algorithm>
#include <array>

namespace vgen::loopback {

std::optional<std::string> LoopbackDevice::config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                                          std::span<const std::byte> bytes) {
  if (offset != kConfigControl || bytes.size() != 4) return "only the 32-bit control field at offset 8 is writable";
  if (!core.has_feature(kFeatureStatsReset)) return "the control field needs feature bit 1 (stats reset)";
  std::uint32_t command = 0;
  for (std::size_t i = 0; i < 4; ++i) command |= std::to_integer<std::uint32_t>(bytes[i]) << (8 * i);
  if (command != kControlResetCounter) return "unknown control command " + std::to_string(command);
  looped_bytes_ = 0;
  publish_counter(core);
  return std::nullopt;
}

void LoopbackDevice::queue_stopped(virtio::DeviceCore&, std::uint16_t index) {
  // A reset transmit queue takes its pending message with it.
  if (index == kTransmitQueue) reader_.reset();
}

void LoopbackDevice::reset(virtio::DeviceCore& core) {
  reader_.reset();
  looped_bytes_ = 0;
  looped_messages_ = 0;
  publish_counter(core);
}

void LoopbackDevice::publish_counter(virtio::DeviceCore& core) {
  std::array<std::byte, 8> bytes;
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>((looped_bytes_ >> (8 * i)) & 0xff);
  // A statistic: the generation moves, but the driver is not interrupted for it.
  core.update_config(kConfigLoopedBytes, bytes, false);
}

void LoopbackDevice::pump(virtio::DeviceCore& core) {
  virtqueue::DeviceQueue* receive = core.queue(kReceiveQueue);
  virtqueue::DeviceQueue* transmit = core.queue(kTransmitQueue);
  if (receive == nullptr || transmit == nullptr) return;  // wait until both queues are live
  for (;;) {
    move(core, *receive, *transmit);
    receive->notify();
    transmit->notify();
    // Ask for kicks again; go round if buffers arrived meanwhile (the kick may be suppressed).
    const bool transmit_waiting = transmit->enable_notifications();
    const bool receive_waiting = receive->enable_notifications();
    if (!(reader_ ? receive_waiting : transmit_waiting)) return;
  }
}

void LoopbackDevice::move(virtio::DeviceCore& core, virtqueue::DeviceQueue& receive, virtqueue::DeviceQueue& transmit) {
  std::array<std::byte, 4096> chunk;
  bool counted = false;
  for (;;) {
    if (!reader_) {
      if (!transmit.take(transmit_chain_)) break;
      reader_.emplace(transmit_chain_);
    }
    if (reader_->remaining() == 0) {
      transmit.put(transmit_chain_.head(), 0);  // the device writes nothing into a message
      reader_.reset();
      ++looped_messages_;
      continue;
    }
    if (!receive.take(receive_chain_)) break;  // hold the message until a buffer comes
    virtqueue::ChainWriter writer(receive_chain_);
    while (writer.remaining() > 0 && reader_->remaining() > 0) {
      const std::size_t size = static_cast<std::size_t>(
          std::min<std::uint64_t>({chunk.size(), writer.remaining(), reader_->remaining()}));
      const std::size_t got = reader_->read(std::span(chunk.data(), size));
      writer.write(std::span(chunk.data(), got));
    }
    receive.put(receive_chain_.head(), writer.written());
    looped_bytes_ += writer.written();
    counted = true;
  }
  if (counted) publish_counter(core);
}

}  // namespace vgen::loopback
