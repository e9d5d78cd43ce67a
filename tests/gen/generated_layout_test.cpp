// The message types vgen generates (as checked in under tests/golden/) against the Linux
// headers on this machine: the same sizes and offsets, and accessors that produce the bytes
// a little-endian VirtIO peer expects.
#include <gtest/gtest.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_console.h>

#include <cstddef>
#include <cstring>

#include "virtio-blk/virtio_blk_messages.hpp"
#include "virtio-console/virtio_console_messages.hpp"

namespace {

TEST(GeneratedLayout, BlockRequestHeaderIsVirtioBlkOuthdr) {
  static_assert(sizeof(virtio_blk::BlkRequestHeader) == sizeof(virtio_blk_outhdr));
  static_assert(offsetof(virtio_blk::BlkRequestHeader, type_) == offsetof(virtio_blk_outhdr, type));
  static_assert(offsetof(virtio_blk::BlkRequestHeader, ioprio_) == offsetof(virtio_blk_outhdr, ioprio));
  static_assert(offsetof(virtio_blk::BlkRequestHeader, sector_) == offsetof(virtio_blk_outhdr, sector));
  virtio_blk::BlkRequestHeader header;
  header.set_type(virtio_blk::BlkRequestType::OUT);
  header.set_sector(0x0102030405060708);
  virtio_blk_outhdr linux_header{};
  std::memcpy(&linux_header, &header, sizeof(header));
  EXPECT_EQ(le32toh(linux_header.type), std::uint32_t{VIRTIO_BLK_T_OUT});
  EXPECT_EQ(le64toh(linux_header.sector), 0x0102030405060708u);
  const auto* bytes = reinterpret_cast<const unsigned char*>(&header);
  EXPECT_EQ(bytes[8], 0x08) << "sector is little-endian";
  EXPECT_EQ(bytes[15], 0x01);
  EXPECT_EQ(header.type(), virtio_blk::BlkRequestType::OUT);
}

TEST(GeneratedLayout, BlockConfigMatchesVirtioBlkConfigUpToNumQueues) {
  static_assert(offsetof(virtio_blk::VirtioBlkConfig, capacity_) == offsetof(virtio_blk_config, capacity));
  static_assert(offsetof(virtio_blk::VirtioBlkConfig, geometry_) == offsetof(virtio_blk_config, geometry));
  static_assert(offsetof(virtio_blk::VirtioBlkConfig, blk_size_) == offsetof(virtio_blk_config, blk_size));
  static_assert(offsetof(virtio_blk::VirtioBlkConfig, opt_io_size_) == offsetof(virtio_blk_config, opt_io_size));
  static_assert(offsetof(virtio_blk::VirtioBlkConfig, wce_) == offsetof(virtio_blk_config, wce));
  static_assert(offsetof(virtio_blk::VirtioBlkConfig, num_queues_) == offsetof(virtio_blk_config, num_queues));
  EXPECT_EQ(virtio_blk::kConfigBytes, offsetof(virtio_blk_config, num_queues) + 2);
  virtio_blk::VirtioBlkConfig config;
  config.geometry().set_cylinders(0x1234);
  config.geometry().set_heads(7);
  virtio_blk_config linux_config{};
  std::memcpy(&linux_config, &config, virtio_blk::kConfigBytes);
  EXPECT_EQ(le16toh(linux_config.geometry.cylinders), 0x1234);
  EXPECT_EQ(linux_config.geometry.heads, 7);
}

TEST(GeneratedLayout, ConsoleControlIsVirtioConsoleControl) {
  static_assert(sizeof(virtio_console::ConsoleControl) == sizeof(virtio_console_control));
  static_assert(offsetof(virtio_console::ConsoleControl, event_) == offsetof(virtio_console_control, event));
  static_assert(offsetof(virtio_console::ConsoleControl, value_) == offsetof(virtio_console_control, value));
  virtio_console::ConsoleControl control;
  control.set_id(3);
  control.set_event(virtio_console::ConsoleEvent::PORT_OPEN);
  control.set_value(1);
  virtio_console_control linux_control{};
  std::memcpy(&linux_control, &control, sizeof(control));
  EXPECT_EQ(le32toh(linux_control.id), 3u);
  EXPECT_EQ(le16toh(linux_control.event), VIRTIO_CONSOLE_PORT_OPEN);
  EXPECT_EQ(le16toh(linux_control.value), 1);
  EXPECT_EQ(virtio_console::describe(control), "id=3 event=6 value=1");
}

TEST(GeneratedLayout, FeatureAndQueueConstantsFollowTheSpec) {
  EXPECT_EQ(virtio_blk::kDeviceId, 2u);
  EXPECT_EQ(virtio_blk::kFeatureVirtioBlkFFlush, unsigned{VIRTIO_BLK_F_FLUSH});
  EXPECT_EQ(virtio_console::kFeatureVirtioConsoleFMultiport, unsigned{VIRTIO_CONSOLE_F_MULTIPORT});
  EXPECT_EQ(virtio_console::kQueueControlReceiveq, 2);
  EXPECT_EQ(virtio_console::kQueueCount, 4);
  EXPECT_NE(virtio_blk::kSpec.offered_features & (std::uint64_t{1} << VIRTIO_F_VERSION_1), 0u);
  EXPECT_EQ(virtio_blk::kSpec.queues.size(), virtio_blk::kQueueCount);
  EXPECT_EQ(virtio_blk::kSpec.config_bytes, 36u);
}

}  // namespace
