#include "vgen/testing/virtio_device_harness.hpp"

#include <stdexcept>
#include <string>

#include <vgen/virtio/features.hpp>
#include <vgen/virtio/status.hpp>

namespace vgen::testing {
namespace {

// The rings of a queue of `size` entries, carved from `ram`.
virtqueue::QueueConfig rings(GuestRam& ram, std::uint16_t index, std::uint32_t size) {
  virtqueue::QueueConfig config;
  config.index = index;
  config.size = size;
  config.addresses.desc = ram.allocator().allocate(virtqueue::desc_table_bytes(size), virtqueue::kDescAlign);
  config.addresses.avail = ram.allocator().allocate(virtqueue::avail_ring_bytes(size), virtqueue::kAvailAlign);
  config.addresses.used = ram.allocator().allocate(virtqueue::used_ring_bytes(size), virtqueue::kUsedAlign);
  return config;
}

}  // namespace

// VirtIO 1.2 §3.1.1, as a driver's register accesses: reset, ACKNOWLEDGE, DRIVER, features,
// FEATURES_OK, the queues, DRIVER_OK.
DeviceDriverStub::DeviceDriverStub(virtio::DeviceModel& model, std::uint64_t features) : core_(ram_.memory(), model) {
  core_.set_status(0);
  core_.set_status(virtio::kStatusAcknowledge);
  core_.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  const std::uint64_t accepted = (features & core_.offered_features()) | virtio::kFeatureVersion1Mask;
  core_.set_driver_features(0, static_cast<std::uint32_t>(accepted));
  core_.set_driver_features(1, static_cast<std::uint32_t>(accepted >> 32));
  const std::uint8_t negotiated = virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk;
  core_.set_status(negotiated);
  for (std::uint16_t index = 0; index < core_.queue_count(); ++index) {
    queues_.emplace_back();
    const std::uint32_t size = core_.queue_max_size(index);
    if (size == 0) continue;
    const virtqueue::QueueConfig config = rings(ram_, index, size);
    queues_.back() = std::make_unique<ChainBuilder>(ram_, config);
    core_.set_queue_size(index, size);
    core_.set_queue_addresses(index, config.addresses);
    core_.set_queue_ready(index, true);
  }
  core_.set_status(negotiated | virtio::kStatusDriverOk);
}

ChainBuilder& DeviceDriverStub::queue(std::uint16_t index) {
  if (index >= queues_.size() || queues_[index] == nullptr) {
    throw std::out_of_range("device harness: queue " + std::to_string(index) + " is not set up");
  }
  return *queues_[index];
}

}  // namespace vgen::testing
