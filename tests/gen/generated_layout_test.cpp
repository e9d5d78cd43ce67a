// The message types vgen generates (as checked in under tests/golden/) against the Linux
// headers on this machine: the same sizes and offsets, and accessors that produce the bytes
// a little-endian VirtIO peer expects.
#include <gtest/gtest.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_console.h>
#include <linux/virtio_input.h>

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "virtio-blk/virtio_blk_messages.hpp"
#include "virtio-console/virtio_console_messages.hpp"
#include "virtio-input/virtio_input_messages.hpp"

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

TEST(GeneratedLayout, InputConfigAndItsUnionAreVirtioInputConfig) {
  using virtio_input::VirtioInputConfig;
  using virtio_input::VirtioInputConfigU;
  static_assert(sizeof(VirtioInputConfigU) == sizeof(virtio_input_config::u));
  static_assert(alignof(VirtioInputConfigU) == alignof(decltype(virtio_input_config::u)));
  static_assert(std::is_union_v<VirtioInputConfigU>);
  static_assert(offsetof(VirtioInputConfig, select_) == offsetof(virtio_input_config, select));
  static_assert(offsetof(VirtioInputConfig, subsel_) == offsetof(virtio_input_config, subsel));
  static_assert(offsetof(VirtioInputConfig, size_) == offsetof(virtio_input_config, size));
  static_assert(offsetof(VirtioInputConfig, u_) == offsetof(virtio_input_config, u));
  static_assert(sizeof(VirtioInputConfig) == sizeof(virtio_input_config));
  static_assert(offsetof(VirtioInputConfigU, abs_) == offsetof(decltype(virtio_input_config::u), abs));
  static_assert(offsetof(VirtioInputConfigU, ids_) == offsetof(decltype(virtio_input_config::u), ids));

  VirtioInputConfig config;  // zeros: the union's first member is initialised
  EXPECT_EQ(config.u().string(127), 0);
  config.set_select(virtio_input::VirtioInputConfigSelect::ABS_INFO);
  config.set_size(sizeof(virtio_input_absinfo));
  config.u().abs().set_max(0x01020304);
  config.u().abs().set_res(7);
  virtio_input_config linux_config{};
  std::memcpy(&linux_config, &config, sizeof(config));
  EXPECT_EQ(linux_config.select, VIRTIO_INPUT_CFG_ABS_INFO);
  EXPECT_EQ(linux_config.size, sizeof(virtio_input_absinfo));
  EXPECT_EQ(le32toh(linux_config.u.abs.max), 0x01020304u);
  EXPECT_EQ(le32toh(linux_config.u.abs.res), 7u);
  // The members share their bytes: the absinfo's max is bitmap bytes 4 to 7, little-endian.
  EXPECT_EQ(config.u().bitmap(4), 0x04);
  EXPECT_EQ(config.u().bitmap(7), 0x01);
  config.u().ids().set_bustype(0x0006);
  EXPECT_EQ(le16toh(linux_config.u.ids.bustype), 0u);  // the copy is the old bytes
  EXPECT_EQ(config.u().abs().min(), 6u) << "ids.bustype overlays abs.min";
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
