// The runtime hooks the back end relies on: a device queue that starts at a ring position
// (SplitDeviceQueue, QueueConfig::start) and the DeviceCore calls that set and report it.
#include <gtest/gtest.h>

#include <vector>

#include <vgen/shm/memory.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/status.hpp>
#include <vgen/virtqueue/split_device.hpp>

#include "test_device.hpp"

namespace vhost_test {
namespace {

using namespace vgen;

constexpr shm::GuestAddress kBase = 0x10000;

struct Ring {
  Ring() : bytes(65536) {
    memory.add_borrowed(kBase, bytes.data(), bytes.size());
    addresses = virtqueue::contiguous_layout(kBase, 8, 4096);
    for (unsigned i = 0; i < 8; ++i) {
      const virtqueue::Descriptor d{kBase + 0x8000 + 64 * i, 64, virtqueue::kDescWrite, 0};
      std::memcpy(bytes.data() + (addresses.desc - kBase) + 16 * i, &d, sizeof d);
    }
  }
  void avail(std::uint16_t slot, std::uint16_t head) {
    std::memcpy(bytes.data() + (addresses.avail - kBase) + 4 + 2 * (slot % 8), &head, 2);
  }
  void avail_idx(std::uint16_t idx) { std::memcpy(bytes.data() + (addresses.avail - kBase) + 2, &idx, 2); }
  std::uint16_t used_idx() const {
    std::uint16_t idx;
    std::memcpy(&idx, bytes.data() + (addresses.used - kBase) + 2, 2);
    return idx;
  }
  std::uint32_t used_id(std::uint16_t slot) const {
    std::uint32_t id;
    std::memcpy(&id, bytes.data() + (addresses.used - kBase) + 4 + 8 * (slot % 8), 4);
    return id;
  }

  std::vector<std::byte> bytes;
  shm::GuestMemory memory;
  virtqueue::RingAddresses addresses;
};

TEST(RingPosition, DeviceQueueStartsWhereItIsTold) {
  Ring ring;
  ring.avail(100, 3);
  ring.avail(101, 6);
  ring.avail_idx(102);
  virtqueue::QueueConfig config;
  config.size = 8;
  config.addresses = ring.addresses;
  config.start = {100, 100};
  virtqueue::SplitDeviceQueue queue(ring.memory, config);
  EXPECT_EQ(queue.available(), 2u);
  virtqueue::DescriptorChain chain;
  ASSERT_TRUE(queue.take(chain));
  EXPECT_EQ(chain.head(), 3);
  queue.put(chain.head(), 1);
  EXPECT_EQ(queue.position().avail, 101);
  EXPECT_EQ(queue.position().used, 100) << "put but not published";
  queue.publish();
  EXPECT_EQ(queue.position().used, 101);
  EXPECT_EQ(ring.used_idx(), 101);
  EXPECT_EQ(ring.used_id(100), 3u);
}

TEST(RingPosition, CoreStartsLiveQueuesAtTheSetPosition) {
  Ring ring;
  EchoDevice model;
  virtio::DeviceCore core(ring.memory, model);
  core.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  core.set_driver_features(1, 1);
  core.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
  core.set_queue_size(0, 8);
  core.set_queue_addresses(0, ring.addresses);
  core.set_queue_start(0, {40, 40});
  EXPECT_FALSE(core.queue_position(0)) << "not live yet";
  core.set_queue_ready(0, true);
  EXPECT_THROW(core.set_queue_start(0, {0, 0}), virtio::Error) << "refused while the queue is ready";
  core.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk |
                  virtio::kStatusDriverOk);
  ASSERT_TRUE(core.queue_position(0));
  EXPECT_EQ(core.queue_position(0)->avail, 40);
  core.reset();
  core.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  core.set_driver_features(1, 1);
  core.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk |
                  virtio::kStatusDriverOk);
  core.set_queue_size(0, 8);
  core.set_queue_addresses(0, ring.addresses);
  core.set_queue_ready(0, true);
  EXPECT_EQ(core.queue_position(0)->avail, 0) << "a reset forgets the start";
}

}  // namespace
}  // namespace vhost_test
