// The loopback sample over the in-process transport: every byte comes back in order, device
// reset and re-initialisation mid-stream, the configuration counter and its optional fields,
// feature dependencies declared once, and hostile ring contents ending in DEVICE_NEEDS_RESET.
#include <gtest/gtest.h>

#include <vgen/virtio/error.hpp>
#include <vgen/virtio/in_process.hpp>

#include "loopback_device.hpp"
#include "loopback_run.hpp"
#include "support.hpp"

namespace vgen::test {
namespace {

using loopback::kFeatureStats;
using loopback::kFeatureStatsReset;
using virtio::feature_bit;

class LoopbackInProcess : public ::testing::Test {
 protected:
  explicit LoopbackInProcess(loopback::DriverOptions options = {})
      : core(area.memory, device), transport(core), driver(transport, area.memory, area.allocator, options) {}

  GuestArea area;
  loopback::LoopbackDevice device;
  virtio::DeviceCore core;
  virtio::InProcessTransport transport;
  loopback::LoopbackDriver driver;
  StreamSender sender{512};
  StreamReceiver receiver{512};
};

class LoopbackModes : public LoopbackInProcess, public ::testing::WithParamInterface<Completion> {};

TEST_P(LoopbackModes, EveryByteComesBackInOrder) {
  const std::uint64_t features = driver.start();
  EXPECT_EQ(features, loopback::kOfferedFeatures);
  EXPECT_EQ(transport.device_id(), loopback::kDeviceId);
  const RunResult run = run_messages(driver, sender, receiver, 20000, GetParam());
  ASSERT_TRUE(run.completed);
  if (GetParam() == Completion::Interrupts) {
    EXPECT_GT(run.interrupts, 20000u / 128) << "one per batch at least";
  }
  EXPECT_EQ(receiver.messages(), 20000u);
  EXPECT_EQ(receiver.bytes(), sender.bytes());
  EXPECT_EQ(receiver.bad_bytes(), 0u);
  EXPECT_EQ(receiver.bad_buffers(), 0u);
  EXPECT_EQ(driver.looped_bytes(), sender.bytes());
  EXPECT_EQ(device.looped_messages(), 20000u);
  EXPECT_EQ(core.rejections().count(), 0u) << core.rejections().last();
}

INSTANTIATE_TEST_SUITE_P(Completions, LoopbackModes, ::testing::Values(Completion::Polling, Completion::Interrupts),
                         [](const ::testing::TestParamInfo<Completion>& p) {
                           return p.param == Completion::Polling ? "Polling" : "Interrupts";
                         });

TEST_F(LoopbackInProcess, ResetMidStreamAndReinitialise) {
  driver.start();
  ASSERT_TRUE(run_messages(driver, sender, receiver, 3000).completed);
  const virtio::DetachedBuffers drained = driver.stop();
  EXPECT_EQ(drained.at(loopback::kReceiveQueue).size(), 256u) << "every receive buffer comes back";
  EXPECT_TRUE(drained.at(loopback::kTransmitQueue).empty());
  EXPECT_EQ(core.status(), 0);
  EXPECT_EQ(device.looped_bytes(), 0u) << "the device forgot its state";

  // Messages the device took but the driver never reclaimed come back as detached too.
  driver.start();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(driver.queue_message(sender.peek()));
    sender.commit();
  }
  driver.flush();
  const virtio::DetachedBuffers busy = driver.stop();
  EXPECT_EQ(busy.at(loopback::kTransmitQueue).size(), 10u);
  EXPECT_EQ(busy.at(loopback::kReceiveQueue).size(), 256u);
  StreamReceiver fresh(512);

  // The ten lost messages are not part of the second stream; start a new one.
  StreamSender second(512);
  driver.start();
  ASSERT_TRUE(run_messages(driver, second, fresh, 3000).completed);
  EXPECT_EQ(fresh.bad_bytes(), 0u);
  EXPECT_EQ(fresh.bytes(), second.bytes());
  EXPECT_EQ(driver.looped_bytes(), second.bytes()) << "the counter restarted at the reset";
  EXPECT_EQ(core.rejections().count(), 0u) << core.rejections().last();
}

TEST_F(LoopbackInProcess, CounterResetIsAConfigurationWrite) {
  driver.start();
  ASSERT_TRUE(run_messages(driver, sender, receiver, 100).completed);
  EXPECT_GT(driver.looped_bytes(), 0u);
  const std::uint32_t generation = core.config_generation();
  driver.reset_counter();
  EXPECT_EQ(driver.looped_bytes(), 0u);
  EXPECT_NE(core.config_generation(), generation);
}

class LoopbackWithoutReset : public LoopbackInProcess {
 protected:
  LoopbackWithoutReset() : LoopbackInProcess(options()) {}
  static loopback::DriverOptions options() {
    loopback::DriverOptions o;
    o.features = virtio::kFeatureVersion1Mask | feature_bit(kFeatureStats);
    return o;
  }
};

TEST_F(LoopbackWithoutReset, OptionalControlFieldNeedsItsFeature) {
  EXPECT_EQ(driver.start(), virtio::kFeatureVersion1Mask | feature_bit(kFeatureStats));
  EXPECT_THROW(driver.reset_counter(), virtio::Error);
  // A driver writing it anyway is refused by the device.
  EXPECT_THROW(transport.write_config(loopback::kConfigControl, 4, loopback::kControlResetCounter), virtio::Error);
  EXPECT_EQ(core.rejections().count(), 1u);
}

class LoopbackDependentOnly : public LoopbackInProcess {
 protected:
  LoopbackDependentOnly() : LoopbackInProcess(options()) {}
  static loopback::DriverOptions options() {
    loopback::DriverOptions o;
    o.features = virtio::kFeatureVersion1Mask | feature_bit(kFeatureStatsReset);  // without kFeatureStats
    return o;
  }
};

TEST_F(LoopbackDependentOnly, DependencyIsEnforcedOnTheDriverSide) {
  EXPECT_EQ(driver.start(), virtio::kFeatureVersion1Mask) << "stats reset requires stats, which was not wanted";
  try {
    driver.looped_bytes();
    FAIL() << "expected FeatureMissing";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), virtio::ErrorCode::FeatureMissing);
  }
}

TEST_F(LoopbackDependentOnly, DependencyIsEnforcedOnTheDeviceSide) {
  // A hostile driver accepting stats reset without stats: the device refuses FEATURES_OK.
  transport.set_status(virtio::kStatusAcknowledge);
  transport.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver);
  transport.set_driver_features(0, 1u << kFeatureStatsReset);
  transport.set_driver_features(1, 1);
  transport.set_status(virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
  EXPECT_EQ(transport.status() & virtio::kStatusFeaturesOk, 0);
  EXPECT_NE(core.refusal().find("requires feature bit 0"), std::string::npos) << core.refusal();
}

TEST_F(LoopbackInProcess, HostileTransmitRingEndsInNeedsReset) {
  driver.start();
  ASSERT_TRUE(run_messages(driver, sender, receiver, 50).completed);
  const virtqueue::SplitRing& real = driver.core().queue(loopback::kTransmitQueue).ring();
  virtqueue::SplitRing hostile(area.memory, real.size(), real.addresses());
  hostile.store_avail_idx(static_cast<std::uint16_t>(real.load_avail_idx(std::memory_order_relaxed) + 300),
                          std::memory_order_release);
  transport.notify(loopback::kTransmitQueue);
  EXPECT_EQ(core.status() & virtio::kStatusDeviceNeedsReset, virtio::kStatusDeviceNeedsReset);
  try {
    driver.wait(std::chrono::seconds(1));
    FAIL() << "expected DeviceNeedsReset";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), virtio::ErrorCode::DeviceNeedsReset);
  }
  driver.stop();
  StreamSender again(512);
  StreamReceiver back(512);
  driver.start();
  ASSERT_TRUE(run_messages(driver, again, back, 500).completed);
  EXPECT_EQ(back.bad_bytes(), 0u);
}

TEST_F(LoopbackInProcess, BadMessagesAreRefused) {
  driver.start();
  EXPECT_THROW(driver.queue_message({}), virtio::Error);
  std::vector<std::byte> big(513);
  EXPECT_THROW(driver.queue_message(big), virtio::Error);
  EXPECT_THROW(loopback::LoopbackDriver(transport, area.memory, area.allocator, {.queue_size = 24}), virtio::Error);
}

}  // namespace
}  // namespace vgen::test
