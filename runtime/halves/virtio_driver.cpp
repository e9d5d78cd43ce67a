#include "vgen/halves/virtio_driver.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include <vgen/virtio/error.hpp>

namespace vgen::halves {
namespace {

// Slots per queue: one buffer each on a one-way queue; a request takes up to four
// descriptors (header, data out, data in, reply), so a quarter of the entries.
std::uint32_t slot_count(const QueueSpec& queue) {
  return queue.direction == Direction::bidirectional ? std::max<std::uint32_t>(queue.size / 4, 1) : queue.size;
}

virtqueue::RingAddresses allocate_rings(shm::Allocator& allocator, std::uint32_t size) {
  virtqueue::RingAddresses rings;
  rings.desc = allocator.allocate(virtqueue::desc_table_bytes(size), virtqueue::kDescAlign);
  rings.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), virtqueue::kAvailAlign);
  rings.used = allocator.allocate(virtqueue::used_ring_bytes(size), virtqueue::kUsedAlign);
  return rings;
}

const char* direction_name(Direction direction) {
  switch (direction) {
    case Direction::driver_to_device:
      return "driver-to-device";
    case Direction::device_to_driver:
      return "device-to-driver";
    case Direction::bidirectional:
      return "bidirectional";
  }
  return "bidirectional";
}

[[noreturn]] void invalid(const VirtioSpec& spec, const std::string& message) {
  throw virtio::Error(virtio::ErrorCode::InvalidArgument, std::string(spec.name) + " driver: " + message);
}

}  // namespace

VirtioDriverQueues::VirtioDriverQueues(const VirtioSpec& spec, virtio::Transport& transport,
                                       const shm::GuestMemory& memory, shm::Allocator& allocator, DriverOptions options)
    : spec_(spec),
      memory_(memory),
      options_(options),
      core_(transport, memory, feature_rules(spec)),
      queues_(spec.queues.size()) {
  for (std::size_t index = 0; index < queues_.size(); ++index) {
    const QueueSpec& queue = spec.queues[index];
    queues_[index].rings = allocate_rings(allocator, queue.size);
    queues_[index].slots = SlotPool(allocator, slot_count(queue), slot_bytes(queue));
    queues_[index].data_in_bytes.assign(slot_count(queue), 0);
  }
}

std::uint32_t VirtioDriverQueues::request_data_bytes(const QueueSpec& queue) const noexcept {
  return queue.data_bytes != 0 ? queue.data_bytes : options_.request_data_bytes;
}

std::uint32_t VirtioDriverQueues::slot_bytes(const QueueSpec& queue) const noexcept {
  if (queue.direction != Direction::bidirectional) return queue.message_bytes + (queue.raw ? 0 : queue.data_bytes);
  return queue.message_bytes + 2 * request_data_bytes(queue) + queue.reply_bytes;
}

std::uint64_t VirtioDriverQueues::start() {
  const std::uint64_t wanted = options_.features.value_or(spec_.offered_features);
  const std::uint64_t features = core_.initialize(wanted, [&](virtio::DriverCore& core) {
    for (std::uint16_t index = 0; index < queues_.size(); ++index) {
      const QueueSpec& queue = spec_.queues[index];
      if (queue.feature && !core.has_feature(*queue.feature)) continue;
      core.setup_queue(index, queue.size, queues_[index].rings);
    }
  });
  for (Queue& queue : queues_) queue.slots.reset();
  on_started();
  flush();
  return features;
}

void VirtioDriverQueues::on_queue_buffer(std::uint16_t index, std::span<const std::byte> bytes) {
  static_cast<void>(index);
  static_cast<void>(bytes);
}

void VirtioDriverQueues::on_queue_reply(std::uint16_t index, const Reply& reply) {
  static_cast<void>(index);
  static_cast<void>(reply);
}

const QueueSpec& VirtioDriverQueues::checked(std::uint16_t index, Direction direction, const char* operation) const {
  if (index >= spec_.queues.size()) {
    invalid(spec_, std::string(operation) + " on queue " + std::to_string(index) + ", which does not exist");
  }
  const QueueSpec& queue = spec_.queues[index];
  if (queue.direction != direction) {
    invalid(spec_, std::string(operation) + " on queue " + std::to_string(index) + ", which is " +
                       direction_name(queue.direction));
  }
  return queue;
}

bool VirtioDriverQueues::add(std::uint16_t index, std::span<const virtqueue::Buffer> readable,
                             std::span<const virtqueue::Buffer> writable) {
  Queue& queue = queues_[index];
  const std::uint32_t number = *queue.slots.peek();
  if (!core_.queue(index).add(readable, writable, number)) return false;
  queue.slots.take();
  queue.pending_kick = true;
  return true;
}

bool VirtioDriverQueues::send_bytes(std::uint16_t index, std::span<const std::byte> bytes) {
  return send_bytes(index, bytes, {});
}

bool VirtioDriverQueues::send_bytes(std::uint16_t index, std::span<const std::byte> message,
                                    std::span<const std::byte> data) {
  const QueueSpec& spec = checked(index, Direction::driver_to_device, "send");
  Queue& queue = queues_[index];
  const std::size_t bytes = message.size() + data.size();
  if (bytes == 0 || bytes > queue.slots.slot_bytes()) {
    invalid(spec_, "a message on queue " + std::to_string(index) + " has 1 to " +
                       std::to_string(queue.slots.slot_bytes()) + " bytes, not " + std::to_string(bytes));
  }
  if (!spec.raw && data.size() > spec.data_bytes) {
    invalid(spec_, "queue " + std::to_string(index) + " carries at most " + std::to_string(spec.data_bytes) +
                       " data bytes after its message, not " + std::to_string(data.size()));
  }
  const std::optional<std::uint32_t> number = queue.slots.peek();
  if (!core_.has_queue(index) || !number) return false;
  const std::span<std::byte> slot = queue.slots.bytes(memory_, *number);
  if (!message.empty()) std::memcpy(slot.data(), message.data(), message.size());
  if (!data.empty()) std::memcpy(slot.data() + message.size(), data.data(), data.size());
  const virtqueue::Buffer buffer{queue.slots.address(*number), static_cast<std::uint32_t>(bytes)};
  return add(index, std::span(&buffer, 1), {});
}

std::size_t VirtioDriverQueues::post_buffers(std::uint16_t index, std::size_t count) {
  checked(index, Direction::device_to_driver, "post");
  Queue& queue = queues_[index];
  std::size_t posted = 0;
  while (posted < count && core_.has_queue(index)) {
    const std::optional<std::uint32_t> number = queue.slots.peek();
    if (!number) break;
    const virtqueue::Buffer buffer{queue.slots.address(*number), queue.slots.slot_bytes()};
    if (!add(index, {}, std::span(&buffer, 1))) break;
    ++posted;
  }
  return posted;
}

// Slot layout of a request: header, data out, data in, reply; each part at a fixed place,
// so the used chain is read back from the slot alone.
bool VirtioDriverQueues::submit_request(std::uint16_t index, std::span<const std::byte> header,
                                        std::span<const std::byte> data_out, std::uint32_t data_in_bytes) {
  const QueueSpec& spec = checked(index, Direction::bidirectional, "request");
  const std::uint32_t data = request_data_bytes(spec);
  if (data_out.size() > (spec.readable_data ? data : 0) || data_in_bytes > (spec.writable_data ? data : 0)) {
    invalid(spec_, "request data on queue " + std::to_string(index) + " is limited to " +
                       std::to_string(spec.readable_data ? data : 0) + " bytes out and " +
                       std::to_string(spec.writable_data ? data : 0) + " bytes in (data out " +
                       std::to_string(data_out.size()) + ", data in " + std::to_string(data_in_bytes) + ")");
  }
  if (header.size() != spec.message_bytes) {
    invalid(spec_, "a request header on queue " + std::to_string(index) + " has " + std::to_string(spec.message_bytes) +
                       " bytes, not " + std::to_string(header.size()));
  }
  Queue& queue = queues_[index];
  const std::optional<std::uint32_t> number = queue.slots.peek();
  if (!core_.has_queue(index) || !number) return false;
  const std::span<std::byte> slot = queue.slots.bytes(memory_, *number);
  std::memcpy(slot.data(), header.data(), header.size());
  if (!data_out.empty()) std::memcpy(slot.data() + header.size(), data_out.data(), data_out.size());
  const shm::GuestAddress base = queue.slots.address(*number);
  const shm::GuestAddress in = base + spec.message_bytes + data;
  std::vector<virtqueue::Buffer> readable{{base, spec.message_bytes}};
  if (!data_out.empty()) readable.push_back({base + spec.message_bytes, static_cast<std::uint32_t>(data_out.size())});
  std::vector<virtqueue::Buffer> writable;
  const bool reply_first = spec.reply == ReplyPlacement::first;
  if (reply_first && spec.reply_bytes > 0) writable.push_back({in + data, spec.reply_bytes});
  if (data_in_bytes > 0) writable.push_back({in, data_in_bytes});
  if (!reply_first && spec.reply_bytes > 0) writable.push_back({in + data, spec.reply_bytes});
  if (!add(index, readable, writable)) return false;
  queue.data_in_bytes[*number] = data_in_bytes;
  return true;
}

std::size_t VirtioDriverQueues::poll() {
  std::size_t reclaimed = 0;
  for (std::uint16_t index = 0; index < queues_.size(); ++index) {
    if (!core_.has_queue(index)) continue;
    while (const std::optional<virtqueue::UsedBuffer> used = core_.queue(index).reclaim()) {
      queues_[index].slots.give_back(used->token);
      dispatch(index, *used);
      ++reclaimed;
    }
  }
  flush();
  return reclaimed;
}

void VirtioDriverQueues::dispatch(std::uint16_t index, const virtqueue::UsedBuffer& used) {
  const QueueSpec& spec = spec_.queues[index];
  const std::span<const std::byte> slot = queues_[index].slots.bytes(memory_, used.token);
  switch (spec.direction) {
    case Direction::driver_to_device:
      return;  // a sent message came back: its slot is free again
    case Direction::device_to_driver:
      if (!spec.raw && used.length < spec.message_bytes) {
        ++malformed_;
        return;
      }
      on_queue_buffer(index, slot.first(std::min<std::size_t>(used.length, slot.size())));
      return;
    case Direction::bidirectional:
      dispatch_reply(index, slot, used);
      return;
  }
}

// A used request: the header and data in are where request() put them, the reply after the
// data-in room. Without a reply type the device's used length is the data it wrote.
void VirtioDriverQueues::dispatch_reply(std::uint16_t index, std::span<const std::byte> slot,
                                        const virtqueue::UsedBuffer& used) {
  const QueueSpec& spec = spec_.queues[index];
  const std::uint32_t data = request_data_bytes(spec);
  const std::uint32_t data_in_bytes = queues_[index].data_in_bytes[used.token];
  const bool reply_first = spec.reply == ReplyPlacement::first;
  // A reply at the end needs everything before it written; a reply first, only itself.
  if (spec.reply_bytes > 0 && used.length < (reply_first ? 0 : data_in_bytes) + spec.reply_bytes) {
    ++malformed_;
    return;
  }
  const std::uint32_t data_in = spec.reply_bytes > 0 && !reply_first
                                    ? data_in_bytes
                                    : std::min(data_in_bytes, used.length - (reply_first ? spec.reply_bytes : 0));
  on_queue_reply(index, Reply{slot.first(spec.message_bytes), slot.subspan(spec.message_bytes + data, data_in),
                              slot.subspan(spec.message_bytes + 2 * data, spec.reply_bytes)});
}

void VirtioDriverQueues::flush() {
  for (std::uint16_t index = 0; index < queues_.size(); ++index) {
    if (!queues_[index].pending_kick || !core_.has_queue(index)) continue;
    queues_[index].pending_kick = false;
    core_.queue(index).kick();
  }
}

bool VirtioDriverQueues::arm_interrupts() {
  bool waiting = false;
  for (std::uint16_t index = 0; index < queues_.size(); ++index) {
    if (core_.has_queue(index) && core_.queue(index).enable_interrupts()) waiting = true;
  }
  return waiting;
}

bool VirtioDriverQueues::run_until(const std::function<bool()>& done, std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (poll() > 0 || arm_interrupts()) continue;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    const auto events = core_.wait_interrupt(std::chrono::milliseconds(20));
    if (events && events->needs_reset) {
      throw virtio::Error(virtio::ErrorCode::DeviceNeedsReset,
                          core_.transport().name() + ": the " + std::string(spec_.name) + " device needs a reset");
    }
  }
  return true;
}

virtio::DetachedBuffers VirtioDriverQueues::stop() {
  for (Queue& queue : queues_) queue.pending_kick = false;
  return core_.shutdown();
}

void VirtioDriverQueues::read_config_bytes(std::span<std::byte> out) {
  for (const ConfigField& field : spec_.config) {
    const std::span<std::byte> bytes = out.subspan(field.offset, field.size);
    if (field.bytewise) {
      core_.read_config_bytes(field.offset, bytes);
    } else {
      core_.read_config(field.offset, bytes);
    }
  }
}

}  // namespace vgen::halves
