#include "vgen/halves/virtio_device.hpp"

#include <algorithm>
#include <cstring>

#include <vgen/virtio/error.hpp>

namespace vgen::halves {

const virtio::FeatureRules& VirtioDeviceFraming::feature_rules() const { return rules_; }

std::vector<std::uint32_t> VirtioDeviceFraming::queue_max_sizes() const {
  std::vector<std::uint32_t> sizes;
  for (const QueueSpec& queue : spec_.queues) sizes.push_back(queue.size);
  return sizes;
}

std::vector<std::byte> VirtioDeviceFraming::initial_config() const {
  std::vector<std::byte> bytes = config_default_bytes();
  bytes.resize(spec_.config_bytes);
  return bytes;
}

std::vector<std::byte> VirtioDeviceFraming::config_default_bytes() const {
  return std::vector<std::byte>(spec_.config_bytes);
}

std::optional<std::string> VirtioDeviceFraming::on_config_bytes_written(std::span<const std::byte> config,
                                                                        std::uint32_t offset) {
  static_cast<void>(config);
  if (spec_.config_bytes == 0) {
    return std::string(spec_.name) + " has no configuration space (offset " + std::to_string(offset) + ")";
  }
  return "the configuration space is read-only (offset " + std::to_string(offset) + ")";
}

std::optional<std::string> VirtioDeviceFraming::config_written(virtio::DeviceCore& core, std::uint32_t offset,
                                                               std::span<const std::byte> bytes) {
  core_ = &core;
  std::vector<std::byte> changed = core.config_bytes();
  if (offset > changed.size() || bytes.size() > changed.size() - offset) {
    return "a write of " + std::to_string(bytes.size()) + " bytes at offset " + std::to_string(offset) +
           " is outside the configuration space";
  }
  std::copy(bytes.begin(), bytes.end(), changed.begin() + offset);
  if (auto refusal = on_config_bytes_written(changed, offset)) return refusal;
  core.update_config(offset, bytes, false);
  return std::nullopt;
}

std::vector<std::byte> VirtioDeviceFraming::config_bytes() const {
  if (core_ == nullptr) return initial_config();
  return core_->config_bytes();
}

void VirtioDeviceFraming::update_config_bytes(std::span<const std::byte> bytes, bool notify_driver) {
  if (core_ == nullptr) {
    throw virtio::Error(virtio::ErrorCode::InvalidState,
                        std::string(spec_.name) + " device: the configuration changes once a driver is attached");
  }
  core_->update_config(0, bytes.first(std::min<std::size_t>(bytes.size(), spec_.config_bytes)), notify_driver);
}

void VirtioDeviceFraming::activate(virtio::DeviceCore& core) {
  core_ = &core;
  for (std::uint16_t index = 0; index < outboxes_.size(); ++index) serve(index);
}

void VirtioDeviceFraming::queue_notified(virtio::DeviceCore& core, std::uint16_t index) {
  core_ = &core;
  serve(index);
}

void VirtioDeviceFraming::queue_enabled(virtio::DeviceCore& core, std::uint16_t index) {
  core_ = &core;
  serve(index);
}

// The queue's chains are gone with it; messages not yet delivered go too.
void VirtioDeviceFraming::queue_stopped(virtio::DeviceCore& core, std::uint16_t index) {
  core_ = &core;
  if (index < outboxes_.size()) outboxes_[index] = Outbox{};
}

void VirtioDeviceFraming::reset(virtio::DeviceCore& core) {
  core_ = &core;
  for (Outbox& outbox : outboxes_) outbox = Outbox{};
  malformed_ = 0;
  on_reset();
}

void VirtioDeviceFraming::on_queue_message(std::uint16_t index, std::span<const std::byte> bytes) {
  static_cast<void>(index);
  static_cast<void>(bytes);
}

std::size_t VirtioDeviceFraming::on_queue_produce(std::uint16_t index, std::span<std::byte> buffer) {
  static_cast<void>(index);
  static_cast<void>(buffer);
  return 0;
}

void VirtioDeviceFraming::on_queue_request(std::uint16_t index, DeviceRequest& request) {
  static_cast<void>(index);
  static_cast<void>(request);
}

bool VirtioDeviceFraming::send_bytes(std::uint16_t index, std::span<const std::byte> message,
                                     std::span<const std::byte> data) {
  if (index < spec_.queues.size() && data.size() > spec_.queues[index].data_bytes) {
    throw virtio::Error(virtio::ErrorCode::InvalidArgument,
                        std::string(spec_.name) + " device: queue " + std::to_string(index) + " carries at most " +
                            std::to_string(spec_.queues[index].data_bytes) + " data bytes after its message, not " +
                            std::to_string(data.size()));
  }
  std::vector<std::byte> bytes(message.begin(), message.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return send_bytes(index, bytes);
}

bool VirtioDeviceFraming::send_bytes(std::uint16_t index, std::span<const std::byte> bytes) {
  if (index >= spec_.queues.size() || spec_.queues[index].direction != Direction::device_to_driver) {
    throw virtio::Error(
        virtio::ErrorCode::InvalidArgument,
        std::string(spec_.name) + " device: queue " + std::to_string(index) + " is not a device-to-driver queue");
  }
  Outbox& outbox = outboxes_[index];
  if (outbox.pending_bytes + bytes.size() > kMaxPendingBytes) return false;
  outbox.pending.emplace_back(bytes.begin(), bytes.end());
  outbox.pending_bytes += bytes.size();
  serve(index);
  return true;
}

// Works the queue until nothing moves, then asks for notifications again; goes round when
// buffers arrived meanwhile (VirtIO 1.2 §2.7.10: their notification may have been suppressed).
void VirtioDeviceFraming::serve(std::uint16_t index) {
  if (core_ == nullptr || index >= outboxes_.size()) return;
  virtqueue::DeviceQueue* queue = core_->queue(index);
  if (queue == nullptr) return;
  for (;;) {
    bool moved = false;
    while (serve_once(index, *queue)) moved = true;
    queue->notify();
    if (!moved || !queue->enable_notifications()) return;
  }
}

bool VirtioDeviceFraming::serve_once(std::uint16_t index, virtqueue::DeviceQueue& queue) {
  if (spec_.queues[index].direction == Direction::device_to_driver) return deliver(index, queue);
  virtqueue::DescriptorChain chain;
  if (!queue.take(chain)) return false;
  consume(index, queue, chain);
  return true;
}

// A device-to-driver queue: fills the oldest buffer the driver posted with the oldest pending
// message, or with what the half produces.
bool VirtioDeviceFraming::deliver(std::uint16_t index, virtqueue::DeviceQueue& queue) {
  Outbox& outbox = outboxes_[index];
  if (outbox.held.empty()) {
    virtqueue::DescriptorChain chain;
    if (!queue.take(chain)) return false;
    outbox.held.push_back(std::move(chain));
  }
  const virtqueue::DescriptorChain& chain = outbox.held.front();
  std::vector<std::byte> bytes;
  if (!outbox.pending.empty()) {
    bytes = std::move(outbox.pending.front());
    outbox.pending.pop_front();
    outbox.pending_bytes -= bytes.size();
  } else {
    bytes = produce(index, chain.writable_bytes());
    if (bytes.empty()) return false;
  }
  virtqueue::ChainWriter writer(chain);
  writer.write(bytes);
  queue.put(chain.head(), writer.written());
  outbox.held.pop_front();
  return true;
}

std::vector<std::byte> VirtioDeviceFraming::produce(std::uint16_t index, std::uint64_t room) {
  const QueueSpec& spec = spec_.queues[index];
  const std::uint64_t most = spec.message_bytes + std::uint64_t{spec.raw ? 0 : spec.data_bytes};
  std::vector<std::byte> bytes(static_cast<std::size_t>(
      spec.raw ? std::min(room, most) : std::clamp<std::uint64_t>(room, spec.message_bytes, most)));
  bytes.resize(std::min(bytes.size(), on_queue_produce(index, bytes)));
  return bytes;
}

// A driver-to-device or bidirectional queue: the readable bytes, checked against the
// message type, to the handler; the answer, if any, into the writable part.
void VirtioDeviceFraming::consume(std::uint16_t index, virtqueue::DeviceQueue& queue,
                                  const virtqueue::DescriptorChain& chain) {
  const QueueSpec& spec = spec_.queues[index];
  std::uint32_t written = 0;
  if (chain.readable_bytes() > kMaxMessageBytes || spec.direction == Direction::device_to_driver) {
    ++malformed_;
    queue.put(chain.head(), 0);
    return;
  }
  std::vector<std::byte> in(static_cast<std::size_t>(chain.readable_bytes()));
  in.resize(virtqueue::ChainReader(chain).read(in));
  if ((!spec.raw && in.size() < spec.message_bytes) || readable_too_long(spec, in.size())) {
    ++malformed_;
  } else if (spec.direction == Direction::driver_to_device) {
    on_queue_message(index, in);
  } else if (const std::optional<std::vector<std::byte>> out = answer(index, chain, in)) {
    virtqueue::ChainWriter writer(chain);
    writer.write(*out);
    written = writer.written();
  }
  queue.put(chain.head(), written);
}

// A bidirectional request: header and data in the readable part; data and then the reply at
// the end of the writable part. Without a reply type only the data written goes back.
std::optional<std::vector<std::byte>> VirtioDeviceFraming::answer(std::uint16_t index,
                                                                  const virtqueue::DescriptorChain& chain,
                                                                  std::span<const std::byte> in) {
  const QueueSpec& spec = spec_.queues[index];
  const std::uint64_t writable = chain.writable_bytes();
  const std::uint64_t data_room = writable < spec.reply_bytes ? 0 : writable - spec.reply_bytes;
  if (writable < spec.reply_bytes || writable > kMaxMessageBytes || (!spec.writable_data && data_room > 0) ||
      (spec.bounded && data_room > spec.data_bytes)) {
    ++malformed_;
    return std::nullopt;
  }
  std::vector<std::byte> out(static_cast<std::size_t>(writable));
  const std::size_t data_bytes = static_cast<std::size_t>(data_room);
  const bool reply_first = spec.reply == ReplyPlacement::first;
  const std::span<std::byte> data = std::span(out).subspan(reply_first ? spec.reply_bytes : 0, data_bytes);
  const std::span<std::byte> reply = std::span(out).subspan(reply_first ? 0 : data_bytes, spec.reply_bytes);
  DeviceRequest request{in.first(spec.message_bytes), in.subspan(spec.message_bytes), data, reply};
  on_queue_request(index, request);
  // The used length covers what was written: all of it when the reply ends the chain, else
  // the reply (if first) and the data the handler says it wrote.
  if (spec.reply_bytes == 0 || reply_first) {
    out.resize((reply_first ? spec.reply_bytes : 0) + std::min<std::size_t>(request.written, data_bytes));
  }
  return out;
}

// A chain's readable part longer than the queue's spec allows: past the buffer of a bounded
// one-way queue, data for a request whose chain has no data out, or past a request's bound.
bool VirtioDeviceFraming::readable_too_long(const QueueSpec& spec, std::uint64_t bytes) const noexcept {
  if (spec.direction == Direction::bidirectional && !spec.readable_data) return bytes > spec.message_bytes;
  const std::uint64_t bound = spec.message_bytes + std::uint64_t{spec.raw ? 0 : spec.data_bytes};
  return spec.bounded && bytes > bound;
}

}  // namespace vgen::halves
