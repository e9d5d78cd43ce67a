#include "loopback_driver.hpp"

#include <cstring>

#include <vgen/virtio/error.hpp>

namespace vgen::loopback {
namespace {

virtqueue::RingAddresses allocate_rings(shm::Allocator& allocator, std::uint32_t size) {
  virtqueue::RingAddresses rings;
  rings.desc = allocator.allocate(virtqueue::desc_table_bytes(size), virtqueue::kDescAlign);
  rings.avail = allocator.allocate(virtqueue::avail_ring_bytes(size), virtqueue::kAvailAlign);
  rings.used = allocator.allocate(virtqueue::used_ring_bytes(size), virtqueue::kUsedAlign);
  return rings;
}

}  // namespace

LoopbackDriver::LoopbackDriver(virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator,
                               DriverOptions options)
    : memory_(memory), options_(options), core_(transport, memory, loopback::feature_rules()) {
  if (options_.queue_size < 2 || !virtqueue::valid_queue_size(options_.queue_size)) {
    throw virtio::Error(virtio::ErrorCode::InvalidArgument, "loopback driver: queue size " +
                                                                 std::to_string(options_.queue_size) +
                                                                 " is not a power of two from 2 to 32768");
  }
  if (options_.receive_bytes == 0 || options_.max_message == 0) {
    throw virtio::Error(virtio::ErrorCode::InvalidArgument, "loopback driver: buffer sizes must not be 0");
  }
  for (auto& rings : rings_) rings = allocate_rings(allocator, options_.queue_size);
  receive_area_ = allocator.allocate(std::uint64_t{options_.queue_size} * options_.receive_bytes, 64);
  slot_count_ = options_.queue_size / 2;  // a message takes at most two descriptors
  slot_area_ = allocator.allocate(std::uint64_t{slot_count_} * options_.max_message, 64);
}

shm::GuestAddress LoopbackDriver::receive_buffer(std::uint64_t index) const noexcept {
  return receive_area_ + index * options_.receive_bytes;
}

shm::GuestAddress LoopbackDriver::slot(std::uint64_t index) const noexcept {
  return slot_area_ + index * options_.max_message;
}

void LoopbackDriver::post_receive(std::uint64_t index) {
  const virtqueue::Buffer buffer{receive_buffer(index), options_.receive_bytes};
  core_.queue(kReceiveQueue).add({}, std::span(&buffer, 1), index);
  pending_kick_ = true;
}

std::uint64_t LoopbackDriver::start() {
  free_slots_.clear();
  for (std::size_t i = slot_count_; i > 0; --i) free_slots_.push_back(static_cast<std::uint32_t>(i - 1));
  const std::uint64_t features = core_.initialize(options_.features, [&](virtio::DriverCore& core) {
    core.setup_queue(kReceiveQueue, options_.queue_size, rings_[kReceiveQueue]);
    core.setup_queue(kTransmitQueue, options_.queue_size, rings_[kTransmitQueue]);
    // §3.1.1 step 7: populate the receive queue before DRIVER_OK; the kick waits for DRIVER_OK.
    for (std::uint32_t i = 0; i < options_.queue_size; ++i) post_receive(i);
    flush();
  });
  return features;
}

bool LoopbackDriver::queue_message(std::span<const std::byte> message) {
  if (message.empty() || message.size() > options_.max_message) {
    throw virtio::Error(virtio::ErrorCode::InvalidArgument, "loopback driver: a message has 1 to " +
                                                                 std::to_string(options_.max_message) + " bytes, not " +
                                                                 std::to_string(message.size()));
  }
  if (free_slots_.empty()) return false;
  const std::uint32_t index = free_slots_.back();
  const shm::GuestAddress address = slot(index);
  std::memcpy(memory_.translate(address, message.size()), message.data(), message.size());
  const auto length = static_cast<std::uint32_t>(message.size());
  // Every other message goes as two descriptors, so the device sees chains of both shapes.
  const std::uint32_t first = (sent_ % 2 == 1 && length > 1) ? length / 2 : length;
  const virtqueue::Buffer parts[] = {{address, first}, {address + first, length - first}};
  const std::size_t count = first == length ? 1 : 2;
  if (!core_.queue(kTransmitQueue).add(std::span(parts, count), {}, index)) return false;
  free_slots_.pop_back();
  ++sent_;
  pending_kick_ = true;
  return true;
}

void LoopbackDriver::flush() {
  if (!pending_kick_) return;
  pending_kick_ = false;
  core_.queue(kReceiveQueue).kick();
  core_.queue(kTransmitQueue).kick();
}

std::size_t LoopbackDriver::poll(const Receiver& receiver) {
  std::size_t reclaimed = 0;
  virtqueue::SplitDriverQueue& receive = core_.queue(kReceiveQueue);
  while (const auto used = receive.reclaim()) {
    receiver(std::span(memory_.translate(receive_buffer(used->token), used->length), used->length));
    post_receive(used->token);
    ++reclaimed;
  }
  virtqueue::SplitDriverQueue& transmit = core_.queue(kTransmitQueue);
  while (const auto used = transmit.reclaim()) {
    free_slots_.push_back(static_cast<std::uint32_t>(used->token));
    ++reclaimed;
  }
  flush();
  return reclaimed;
}

bool LoopbackDriver::arm_interrupts() {
  const bool receive_waiting = core_.queue(kReceiveQueue).enable_interrupts();
  const bool transmit_waiting = core_.queue(kTransmitQueue).enable_interrupts();
  return receive_waiting || transmit_waiting;
}

bool LoopbackDriver::wait(std::chrono::nanoseconds timeout) {
  const auto events = core_.wait_interrupt(timeout);
  if (!events) return false;
  if (events->needs_reset) {
    throw virtio::Error(virtio::ErrorCode::DeviceNeedsReset,
                        core_.transport().name() + ": the loopback device needs a reset");
  }
  return true;
}

std::uint64_t LoopbackDriver::looped_bytes() { return core_.read_config<std::uint64_t>(kConfigLoopedBytes, kFeatureStats); }

void LoopbackDriver::reset_counter() {
  if (!core_.has_feature(kFeatureStatsReset)) {
    throw virtio::Error(virtio::ErrorCode::FeatureMissing, "loopback driver: the stats reset feature is not negotiated");
  }
  core_.write_config(kConfigControl, 4, kControlResetCounter);
}

virtio::DetachedBuffers LoopbackDriver::stop() {
  pending_kick_ = false;
  free_slots_.clear();
  return core_.shutdown();
}

}  // namespace vgen::loopback
