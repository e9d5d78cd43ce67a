// vgen's constants against the Linux UAPI headers (the ground truth for offsets and bits),
// plus the feature-rule, status-text and register-table helpers.
#include <gtest/gtest.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#include <vgen/virtio/error.hpp>
#include <vgen/virtio/features.hpp>
#include <vgen/virtio/interrupt.hpp>
#include <vgen/virtio/mmio_bus.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/status.hpp>

namespace vgen::test {
namespace {

namespace mmio = virtio::mmio;

static_assert(mmio::kMagicValue == VIRTIO_MMIO_MAGIC_VALUE);
static_assert(mmio::kVersion == VIRTIO_MMIO_VERSION);
static_assert(mmio::kDeviceId == VIRTIO_MMIO_DEVICE_ID);
static_assert(mmio::kVendorId == VIRTIO_MMIO_VENDOR_ID);
static_assert(mmio::kDeviceFeatures == VIRTIO_MMIO_DEVICE_FEATURES);
static_assert(mmio::kDeviceFeaturesSel == VIRTIO_MMIO_DEVICE_FEATURES_SEL);
static_assert(mmio::kDriverFeatures == VIRTIO_MMIO_DRIVER_FEATURES);
static_assert(mmio::kDriverFeaturesSel == VIRTIO_MMIO_DRIVER_FEATURES_SEL);
static_assert(mmio::kQueueSel == VIRTIO_MMIO_QUEUE_SEL);
static_assert(mmio::kQueueNumMax == VIRTIO_MMIO_QUEUE_NUM_MAX);
static_assert(mmio::kQueueNum == VIRTIO_MMIO_QUEUE_NUM);
static_assert(mmio::kQueueReady == VIRTIO_MMIO_QUEUE_READY);
static_assert(mmio::kQueueNotify == VIRTIO_MMIO_QUEUE_NOTIFY);
static_assert(mmio::kInterruptStatus == VIRTIO_MMIO_INTERRUPT_STATUS);
static_assert(mmio::kInterruptAck == VIRTIO_MMIO_INTERRUPT_ACK);
static_assert(mmio::kStatus == VIRTIO_MMIO_STATUS);
static_assert(mmio::kQueueDescLow == VIRTIO_MMIO_QUEUE_DESC_LOW);
static_assert(mmio::kQueueDescHigh == VIRTIO_MMIO_QUEUE_DESC_HIGH);
static_assert(mmio::kQueueDriverLow == VIRTIO_MMIO_QUEUE_AVAIL_LOW);
static_assert(mmio::kQueueDriverHigh == VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
static_assert(mmio::kQueueDeviceLow == VIRTIO_MMIO_QUEUE_USED_LOW);
static_assert(mmio::kQueueDeviceHigh == VIRTIO_MMIO_QUEUE_USED_HIGH);
static_assert(mmio::kShmSel == VIRTIO_MMIO_SHM_SEL);
static_assert(mmio::kShmLenLow == VIRTIO_MMIO_SHM_LEN_LOW);
static_assert(mmio::kShmLenHigh == VIRTIO_MMIO_SHM_LEN_HIGH);
static_assert(mmio::kShmBaseLow == VIRTIO_MMIO_SHM_BASE_LOW);
static_assert(mmio::kShmBaseHigh == VIRTIO_MMIO_SHM_BASE_HIGH);
static_assert(mmio::kConfigGeneration == VIRTIO_MMIO_CONFIG_GENERATION);
static_assert(mmio::kConfig == VIRTIO_MMIO_CONFIG);
#ifdef VIRTIO_MMIO_QUEUE_RESET
static_assert(mmio::kQueueReset == VIRTIO_MMIO_QUEUE_RESET);
#endif
static_assert(virtio::kInterruptUsedBuffer == VIRTIO_MMIO_INT_VRING);
static_assert(virtio::kInterruptConfigChange == VIRTIO_MMIO_INT_CONFIG);

static_assert(virtio::kStatusAcknowledge == VIRTIO_CONFIG_S_ACKNOWLEDGE);
static_assert(virtio::kStatusDriver == VIRTIO_CONFIG_S_DRIVER);
static_assert(virtio::kStatusDriverOk == VIRTIO_CONFIG_S_DRIVER_OK);
static_assert(virtio::kStatusFeaturesOk == VIRTIO_CONFIG_S_FEATURES_OK);
static_assert(virtio::kStatusDeviceNeedsReset == VIRTIO_CONFIG_S_NEEDS_RESET);
static_assert(virtio::kStatusFailed == VIRTIO_CONFIG_S_FAILED);

static_assert(virtio::kFeatureVersion1Mask == (1ull << VIRTIO_F_VERSION_1));
static_assert((virtio::kReservedFeatureRange & (1ull << VIRTIO_TRANSPORT_F_START)) != 0);
static_assert((virtio::kReservedFeatureRange & (1ull << VIRTIO_TRANSPORT_F_END)) != 0);
static_assert((virtio::kReservedFeatureRange & ((1ull << 24) - 1)) == 0);  // §2.2: 0..23 are device-type bits
static_assert((virtio::kReservedFeatureRange & (1ull << 24)) != 0);
static_assert((virtio::kReservedFeatureRange & (1ull << 49)) != 0);
static_assert((virtio::kReservedFeatureRange & (1ull << 50)) == 0);
static_assert((virtio::kSupportedReservedFeatures & (1ull << VIRTIO_F_RING_RESET)) != 0);
static_assert((virtio::kSupportedReservedFeatures & (1ull << VIRTIO_F_RING_PACKED)) == 0);
static_assert((virtio::kSupportedReservedFeatures & (1ull << VIRTIO_F_ACCESS_PLATFORM)) == 0);

TEST(MmioRegisterTable, MagicAndVersionValues) {
  EXPECT_EQ(mmio::kMagic, 0x74726976u);
  const char virt[4] = {'v', 'i', 'r', 't'};
  std::uint32_t magic = 0;
  for (int i = 0; i < 4; ++i) magic |= static_cast<std::uint32_t>(virt[i]) << (8 * i);
  EXPECT_EQ(magic, mmio::kMagic) << "\"virt\" in little-endian";
  EXPECT_EQ(mmio::kDeviceVersion, 2u);
}

TEST(MmioRegisterTable, TableNamesEveryRegisterWithItsDirection) {
  EXPECT_STREQ(mmio::register_info(VIRTIO_MMIO_STATUS).name, "Status");
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_STATUS).direction, mmio::Direction::ReadWrite);
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_MAGIC_VALUE).direction, mmio::Direction::Read);
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_QUEUE_NOTIFY).direction, mmio::Direction::Write);
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_QUEUE_READY).direction, mmio::Direction::ReadWrite);
  EXPECT_EQ(mmio::register_info(mmio::kQueueReset).direction, mmio::Direction::ReadWrite);
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_GUEST_PAGE_SIZE).direction, mmio::Direction::None) << "legacy only";
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_QUEUE_PFN).direction, mmio::Direction::None) << "legacy only";
  EXPECT_EQ(mmio::register_info(VIRTIO_MMIO_QUEUE_ALIGN).direction, mmio::Direction::None) << "legacy only";
  EXPECT_EQ(mmio::register_info(0x0f8).direction, mmio::Direction::None);
  int defined = 0;
  for (std::uint32_t offset = 0; offset < mmio::kConfig; offset += 4) {
    defined += mmio::register_info(offset).direction != mmio::Direction::None ? 1 : 0;
  }
  EXPECT_EQ(defined, 29) << "the version-2 table of §4.2.2";
}

TEST(FeatureRules, ViolationNamesBothFeatures) {
  const virtio::FeatureRules rules{{3, 1}, {VIRTIO_F_RING_RESET, VIRTIO_F_VERSION_1}};
  EXPECT_FALSE(rules.violation(0));
  EXPECT_FALSE(rules.violation((1ull << 3) | (1ull << 1)));
  const auto problem = rules.violation(1ull << 3);
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem, "feature bit 3 requires feature bit 1, which is missing");
  EXPECT_EQ(*rules.violation(1ull << VIRTIO_F_RING_RESET),
            "VIRTIO_F_RING_RESET requires VIRTIO_F_VERSION_1, which is missing");
}

TEST(FeatureRules, PruneFollowsChains) {
  const virtio::FeatureRules rules{{0, 1}, {1, 2}, {5, 6}};
  EXPECT_EQ(rules.prune(0b111), 0b111u);
  EXPECT_EQ(rules.prune(0b011), 0u) << "0 needs 1, which needs the missing 2";
  EXPECT_EQ(rules.prune((1u << 5) | 0b110), 0b110u);
}

TEST(FeatureRules, BadDependenciesAreRefused) {
  EXPECT_THROW(virtio::FeatureRules({{64, 1}}), virtio::Error);
  EXPECT_THROW(virtio::FeatureRules({{1, 70}}), virtio::Error);
  EXPECT_THROW(virtio::FeatureRules({{4, 4}}), virtio::Error);
}

TEST(FeatureNames, ReservedBitsHaveTheirHeaderNames) {
  EXPECT_EQ(virtio::feature_name(VIRTIO_F_VERSION_1), "VIRTIO_F_VERSION_1");
  EXPECT_EQ(virtio::feature_name(VIRTIO_F_RING_PACKED), "VIRTIO_F_RING_PACKED");
  EXPECT_EQ(virtio::feature_name(VIRTIO_F_IN_ORDER), "VIRTIO_F_IN_ORDER");
  EXPECT_EQ(virtio::feature_name(5), "feature bit 5");
}

TEST(StatusText, NamesBitsInStepOrder) {
  EXPECT_EQ(virtio::status_text(0), "0");
  EXPECT_EQ(virtio::status_text(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
                                VIRTIO_CONFIG_S_DRIVER_OK),
            "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK");
  EXPECT_EQ(virtio::status_text(VIRTIO_CONFIG_S_NEEDS_RESET | 0x10), "DEVICE_NEEDS_RESET|0x10");
  EXPECT_EQ(virtio::status_text(VIRTIO_CONFIG_S_FAILED), "FAILED");
}

TEST(ErrorNames, EveryCodeHasAName) {
  EXPECT_STREQ(virtio::to_string(virtio::ErrorCode::FeaturesRefused), "FeaturesRefused");
  EXPECT_STREQ(virtio::to_string(virtio::ErrorCode::ConfigUnstable), "ConfigUnstable");
  EXPECT_STREQ(virtio::to_string(virtio::AccessFault::WriteOnly), "WriteOnly");
  EXPECT_STREQ(virtio::to_string(virtio::AccessFault::None), "None");
}

}  // namespace
}  // namespace vgen::test
