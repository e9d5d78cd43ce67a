// The device core driven at register level, as a hostile or faithful driver would: status
// machine (§2.1), feature checks (§2.2), configuration (§2.5), queues, DEVICE_NEEDS_RESET on
// hostile ring contents (§2.1.2), device reset in every state (§2.4) and queue reset (§2.6.1).
#include <gtest/gtest.h>

#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/error.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

using virtio::ErrorCode;
using virtio::feature_bit;
constexpr std::uint8_t kAck = virtio::kStatusAcknowledge;
constexpr std::uint8_t kDriver = virtio::kStatusDriver;
constexpr std::uint8_t kFeaturesOk = virtio::kStatusFeaturesOk;
constexpr std::uint8_t kDriverOk = virtio::kStatusDriverOk;
constexpr std::uint8_t kNeedsReset = virtio::kStatusDeviceNeedsReset;
constexpr std::uint8_t kFailed = virtio::kStatusFailed;

// Expects `call` to be refused with virtio::Error(Rejected) whose message contains `text`.
template <class Call>
void expect_rejected(Call&& call, const std::string& text) {
  try {
    call();
    ADD_FAILURE() << "expected a rejection mentioning \"" << text << "\"";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Rejected) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

class DeviceCoreTest : public ::testing::Test {
 protected:
  void SetUp() override { build(); }

  void build() {
    core.reset();
    core = std::make_unique<virtio::DeviceCore>(area.memory, model);
    core->set_interrupt_notifier(&line);
  }

  // Initialises the device at register level with `features`, queue 0 (8 entries) ready.
  void bring_up(std::uint64_t features = kVersion1, bool driver_ok = true) {
    write_status_steps(*core, kAck | kDriver);
    write_features(*core, features);
    core->set_status(kAck | kDriver | kFeaturesOk);
    ASSERT_EQ(core->status(), kAck | kDriver | kFeaturesOk) << core->refusal();
    setup_queue0(features);
    if (driver_ok) core->set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
  }

  void setup_queue0(std::uint64_t features) {
    virtqueue::QueueConfig config;
    config.size = 8;
    config.addresses = rings0;
    config.features = virtqueue::RingFeatures::from(features);
    driver = std::make_unique<virtqueue::SplitDriverQueue>(area.memory, config);
    core->set_queue_size(0, 8);
    core->set_queue_addresses(0, rings0);
    core->set_queue_ready(0, true);
  }

  // Offers one chain (16 readable, 32 writable bytes) on queue 0 and publishes it.
  void offer(std::uint64_t token = 1) {
    const virtqueue::Buffer readable[] = {{area.allocator.allocate(16, 8), 16}};
    const virtqueue::Buffer writable[] = {{area.allocator.allocate(32, 8), 32}};
    ASSERT_TRUE(driver->add(readable, writable, token).has_value());
    driver->publish_unchecked();
  }

  std::uint16_t used_idx() const { return driver->ring().load_used_idx(std::memory_order_acquire); }

  GuestArea area;
  TestModel model;
  CountingLine line;
  std::unique_ptr<virtio::DeviceCore> core;
  virtqueue::RingAddresses rings0 = area.rings(8);
  std::unique_ptr<virtqueue::SplitDriverQueue> driver;
};

// --- construction: what a device may offer (§2.2.2, §6) -------------------------------------

TEST_F(DeviceCoreTest, ModelWithoutVersion1IsRefused) {
  model.offered &= ~kVersion1;
  EXPECT_THROW(build(), virtio::Error);
}

TEST_F(DeviceCoreTest, OfferBreakingADependencyIsRefused) {
  model.offered &= ~feature_bit(kFeatureB);  // C is still offered, and C requires B
  try {
    build();
    FAIL() << "expected an error";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("feature bit 2 requires feature bit 1"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceCoreTest, UnimplementedReservedFeatureIsRefused) {
  model.offered |= feature_bit(virtqueue::kFeatureRingPacked);
  try {
    build();
    FAIL() << "expected an error";
  } catch (const virtio::Error& e) {
    EXPECT_NE(std::string(e.what()).find("VIRTIO_F_RING_PACKED"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceCoreTest, BadModelShapesAreRefused) {
  model.id.device_id = 0;
  EXPECT_THROW(build(), virtio::Error);
  model.id.device_id = VIRTIO_ID_NET;
  model.sizes = {12};
  EXPECT_THROW(build(), virtio::Error);
  model.sizes = {8};
  model.config.resize(virtio::kMaxConfigBytes + 1);
  EXPECT_THROW(build(), virtio::Error);
}

// --- status (§2.1, §2.1.1) ------------------------------------------------------------------

TEST_F(DeviceCoreTest, StatusAccumulatesStepByStep) {
  EXPECT_EQ(core->status(), 0);
  core->set_status(kAck);
  EXPECT_EQ(core->status(), kAck);
  core->set_status(kAck | kDriver);
  EXPECT_EQ(core->status(), kAck | kDriver);
  write_features(*core, kVersion1);
  core->set_status(kAck | kDriver | kFeaturesOk);
  core->set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
  EXPECT_EQ(core->status(), kAck | kDriver | kFeaturesOk | kDriverOk);
  EXPECT_EQ(model.activations, 1);
  EXPECT_EQ(core->rejections().count(), 0u);
}

TEST_F(DeviceCoreTest, ClearingABitIsRejected) {
  write_status_steps(*core, kAck | kDriver);
  expect_rejected([&] { core->set_status(kAck); }, "clears DRIVER");
  EXPECT_EQ(core->status(), kAck | kDriver);
  EXPECT_EQ(core->rejections().count(), 1u);
  EXPECT_NE(core->rejections().last().find("§2.1.1"), std::string::npos);
}

TEST_F(DeviceCoreTest, BitWithoutItsPredecessorIsRejected) {
  expect_rejected([&] { core->set_status(kDriver); }, "DRIVER without ACKNOWLEDGE");
  core->set_status(kAck);
  expect_rejected([&] { core->set_status(kAck | kFeaturesOk); }, "FEATURES_OK without DRIVER");
  core->set_status(kAck | kDriver);
  expect_rejected([&] { core->set_status(kAck | kDriver | kDriverOk); }, "DRIVER_OK without FEATURES_OK");
  EXPECT_EQ(core->status(), kAck | kDriver);
}

TEST_F(DeviceCoreTest, UndefinedAndDeviceOwnedBitsAreRejected) {
  expect_rejected([&] { core->set_status(kAck | 0x10); }, "undefined");
  expect_rejected([&] { core->set_status(kAck | kNeedsReset); }, "set by the device only");
  EXPECT_EQ(core->status(), 0);
}

TEST_F(DeviceCoreTest, AfterFailedOnlyAResetIsAccepted) {
  core->set_status(kAck);
  core->set_status(kAck | kFailed);
  expect_rejected([&] { core->set_status(kAck | kDriver | kFailed); }, "reset the device first");
  core->set_status(0);
  write_status_steps(*core, kAck | kDriver);
  EXPECT_EQ(core->status(), kAck | kDriver);
}

TEST_F(DeviceCoreTest, StatusChangesAreTraced) {
  struct Sink : trace::TraceSink {
    std::vector<trace::Event> events;
    void record(const trace::Event& e) noexcept override { events.push_back(e); }
  } sink;
  core->set_trace(&sink);
  write_status_steps(*core, kAck | kDriver);
  core->set_status(0);
  ASSERT_EQ(sink.events.size(), 3u);
  for (const auto& e : sink.events) EXPECT_EQ(e.kind, trace::EventKind::StateChanged);
  EXPECT_EQ(sink.events[0].a, 0u);
  EXPECT_EQ(sink.events[0].b, kAck);
  EXPECT_EQ(sink.events[1].b, kAck | kDriver);
  EXPECT_EQ(sink.events[2].a, kAck | kDriver);
  EXPECT_EQ(sink.events[2].b, 0u);
}

// --- features (§2.2, §6) --------------------------------------------------------------------

TEST_F(DeviceCoreTest, FeatureWordsAreReadThroughWindows) {
  EXPECT_EQ(core->device_features(0), static_cast<std::uint32_t>(model.offered));
  EXPECT_EQ(core->device_features(1), static_cast<std::uint32_t>(model.offered >> 32));
  EXPECT_EQ(core->device_features(2), 0u);
  EXPECT_EQ(core->device_features(0xffffffff), 0u);
}

struct RefusedCase {
  const char* name;
  std::uint64_t accepted;
  const char* reason;
};

class RefusedFeatures : public DeviceCoreTest, public ::testing::WithParamInterface<RefusedCase> {};

TEST_P(RefusedFeatures, FeaturesOkStaysClearAndDriverOkCannotFollow) {
  model.veto = feature_bit(kFeatureA);
  build();
  write_status_steps(*core, kAck | kDriver);
  write_features(*core, GetParam().accepted);
  core->set_status(kAck | kDriver | kFeaturesOk);
  EXPECT_EQ(core->status(), kAck | kDriver) << "§2.2.2: the device does not set FEATURES_OK";
  EXPECT_NE(core->refusal().find(GetParam().reason), std::string::npos) << core->refusal();
  EXPECT_EQ(core->negotiated_features(), 0u);
  expect_rejected([&] { core->set_status(kAck | kDriver | kDriverOk); }, "DRIVER_OK without FEATURES_OK");
  core->set_status(kAck | kDriver | kFeaturesOk | kDriverOk);  // the same set, tried again in one write
  EXPECT_EQ(core->status(), kAck | kDriver);
  EXPECT_EQ(model.activations, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RefusedFeatures,
    ::testing::Values(RefusedCase{"NotOffered", kVersion1 | feature_bit(5), "feature bit 5, which the device does not offer"},
                      RefusedCase{"NoVersion1", feature_bit(kFeatureB), "did not accept VIRTIO_F_VERSION_1"},
                      RefusedCase{"BrokenDependency", kVersion1 | feature_bit(kFeatureC),
                                  "feature bit 2 requires feature bit 1"},
                      RefusedCase{"DeviceVeto", kVersion1 | feature_bit(kFeatureA), "vetoes"}),
    [](const ::testing::TestParamInfo<RefusedCase>& p) { return p.param.name; });

TEST_F(DeviceCoreTest, AcceptableSubsetIsNegotiated) {
  const std::uint64_t accepted = kVersion1 | feature_bit(kFeatureB) | feature_bit(kFeatureC);
  write_status_steps(*core, kAck | kDriver);
  write_features(*core, accepted);
  core->set_status(kAck | kDriver | kFeaturesOk);
  EXPECT_EQ(core->status(), kAck | kDriver | kFeaturesOk);
  EXPECT_EQ(core->negotiated_features(), accepted);
  EXPECT_TRUE(core->has_feature(kFeatureC));
  EXPECT_FALSE(core->has_feature(kFeatureA));
}

TEST_F(DeviceCoreTest, FeaturesAreFixedAfterFeaturesOk) {
  bring_up(kVersion1, false);
  expect_rejected([&] { core->set_driver_features(0, 1); }, "fixed once FEATURES_OK");
  EXPECT_EQ(core->negotiated_features(), kVersion1);
}

TEST_F(DeviceCoreTest, FeatureWindowsBeyond63MustStayZero) {
  core->set_driver_features(2, 0);
  expect_rejected([&] { core->set_driver_features(2, 1); }, "beyond 63");
  EXPECT_EQ(core->driver_features(), 0u);
}

// --- configuration space (§2.5) -------------------------------------------------------------

TEST_F(DeviceCoreTest, ConfigurationIsReadableInAnyStateWithFieldWidths) {
  for (std::size_t i = 0; i < model.config.size(); ++i) model.config[i] = static_cast<std::byte>(i + 1);
  build();
  EXPECT_EQ(core->config_size(), 16u);
  EXPECT_EQ(core->read_config(0, 4), 0x04030201u);
  EXPECT_EQ(core->read_config(4, 2), 0x0605u);
  EXPECT_EQ(core->read_config(15, 1), 0x10u);
  expect_rejected([&] { core->read_config(1, 2); }, "naturally aligned");
  expect_rejected([&] { core->read_config(0, 3); }, "naturally aligned");
  expect_rejected([&] { core->read_config(16, 1); }, "16-byte space");
  expect_rejected([&] { core->read_config(0, 8); }, "naturally aligned");
}

TEST_F(DeviceCoreTest, GenerationMovesWithEveryUpdate) {
  const std::uint32_t before = core->config_generation();
  const std::byte bytes[2] = {std::byte{7}, std::byte{8}};
  core->update_config(2, bytes, false);
  EXPECT_NE(core->config_generation(), before);
  EXPECT_EQ(core->read_config(2, 2), 0x0807u);
  EXPECT_THROW(core->update_config(15, bytes, false), virtio::Error);
}

TEST_F(DeviceCoreTest, ConfigurationWritesNeedFeaturesOkAndTheModelsConsent) {
  expect_rejected([&] { core->write_config(8, 4, 5); }, "before FEATURES_OK");
  bring_up(kVersion1, false);
  core->write_config(8, 4, 0x11223344);
  EXPECT_EQ(core->read_config(8, 4), 0x11223344u);
  expect_rejected([&] { core->write_config(0, 4, 1); }, "only the field at 8 is writable");
  expect_rejected([&] { core->write_config(9, 4, 1); }, "naturally aligned");
  EXPECT_EQ(core->read_config(0, 4), 0u);
}

TEST_F(DeviceCoreTest, ConfigChangeNotificationOnlyAfterDriverOk) {
  const std::byte bytes[1] = {std::byte{1}};
  core->update_config(0, bytes);
  EXPECT_EQ(core->interrupt_status(), 0u);
  EXPECT_EQ(line.signals_sent(), 0u);
  bring_up();
  core->update_config(0, bytes);
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptConfigChange);
  EXPECT_EQ(line.signals_sent(), 1u);
}

// --- queues ---------------------------------------------------------------------------------

TEST_F(DeviceCoreTest, QueueMaximaAndUnavailableQueues) {
  EXPECT_EQ(core->queue_count(), 3u);
  EXPECT_EQ(core->queue_max_size(0), 8u);
  EXPECT_EQ(core->queue_max_size(1), 0u);
  EXPECT_EQ(core->queue_max_size(2), 16u);
  EXPECT_EQ(core->queue_max_size(3), 0u);
  EXPECT_EQ(core->queue_size(0), 8u) << "QueueNum starts at the maximum";
  expect_rejected([&] { core->set_queue_size(1, 4); }, "not available");
  expect_rejected([&] { core->set_queue_size(77, 4); }, "not available");
}

TEST_F(DeviceCoreTest, QueueSizeMustBeAPowerOfTwoWithinTheMaximum) {
  expect_rejected([&] { core->set_queue_size(0, 6); }, "power of two");
  expect_rejected([&] { core->set_queue_size(0, 16); }, "QueueNumMax 8");
  expect_rejected([&] { core->set_queue_size(0, 0); }, "power of two");
  core->set_queue_size(0, 4);
  EXPECT_EQ(core->queue_size(0), 4u);
}

TEST_F(DeviceCoreTest, QueueReadyChecksOrderAndRings) {
  core->set_queue_addresses(0, rings0);
  expect_rejected([&] { core->set_queue_ready(0, true); }, "before FEATURES_OK");
  write_status_steps(*core, kAck | kDriver);
  write_features(*core, kVersion1);
  core->set_status(kAck | kDriver | kFeaturesOk);
  core->set_queue_addresses(0, {rings0.desc + 8, rings0.avail, rings0.used});
  expect_rejected([&] { core->set_queue_ready(0, true); }, "queue 0");
  core->set_queue_addresses(0, {0x10, 0x1000, 0x2000});  // below guest memory
  expect_rejected([&] { core->set_queue_ready(0, true); }, "queue 0");
  EXPECT_FALSE(core->queue_ready(0));
}

TEST_F(DeviceCoreTest, QueueRegistersAreLockedWhileReady) {
  bring_up(kVersion1, false);
  expect_rejected([&] { core->set_queue_size(0, 4); }, "ready queue 0");
  expect_rejected([&] { core->set_queue_addresses(0, {}); }, "ready queue 0");
  EXPECT_EQ(core->queue_addresses(0).desc, rings0.desc);
}

TEST_F(DeviceCoreTest, NoBufferConsumedAndNoUsedNotificationBeforeDriverOk) {
  bring_up(kVersion1, false);
  offer();
  expect_rejected([&] { core->notify_queue(0); }, "before DRIVER_OK");
  EXPECT_EQ(model.notified[0], 0);
  EXPECT_EQ(core->queue(0), nullptr);
  EXPECT_EQ(used_idx(), 0);
  EXPECT_EQ(line.signals_sent(), 0u);
  EXPECT_EQ(core->interrupt_status(), 0u);

  core->set_status(kAck | kDriver | kFeaturesOk | kDriverOk);
  EXPECT_EQ(model.activations, 1);
  core->notify_queue(0);
  EXPECT_EQ(model.chains, 1);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptUsedBuffer);
  EXPECT_EQ(line.signals_sent(), 1u);
  const auto used = driver->reclaim();
  ASSERT_TRUE(used);
  EXPECT_EQ(used->length, 32u);
}

TEST_F(DeviceCoreTest, NotificationsForQueuesThatAreNotReadyAreRejected) {
  bring_up();
  expect_rejected([&] { core->notify_queue(2); }, "not ready");
  expect_rejected([&] { core->notify_queue(1); }, "not available");
  expect_rejected([&] { core->notify_queue(9); }, "not available");
  EXPECT_EQ(model.notified, (std::vector<int>{0, 0, 0}));
}

TEST_F(DeviceCoreTest, InterruptStatusStaysUntilAcknowledged) {
  bring_up();
  offer();
  core->notify_queue(0);
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptUsedBuffer);
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptUsedBuffer) << "reading does not clear it";
  expect_rejected([&] { core->acknowledge_interrupt(0x4); }, "undefined");
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptUsedBuffer);
  core->acknowledge_interrupt(virtio::kInterruptConfigChange);
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptUsedBuffer) << "only acknowledged bits clear";
  core->acknowledge_interrupt(virtio::kInterruptUsedBuffer);
  EXPECT_EQ(core->interrupt_status(), 0u);
}

// --- DEVICE_NEEDS_RESET (§2.1.2) ------------------------------------------------------------

TEST_F(DeviceCoreTest, HostileAvailIndexSetsNeedsResetAndRaisesConfigChange) {
  bring_up();
  virtqueue::SplitRing hostile(area.memory, 8, rings0);
  hostile.store_avail_idx(100, std::memory_order_release);  // 100 entries in a queue of 8
  EXPECT_NO_THROW(core->notify_queue(0)) << "the device absorbs hostile input";
  EXPECT_EQ(core->status() & kNeedsReset, kNeedsReset);
  EXPECT_EQ(core->interrupt_status() & virtio::kInterruptConfigChange, virtio::kInterruptConfigChange);
  EXPECT_EQ(line.signals_sent(), 1u);
  EXPECT_NE(core->needs_reset_reason().find("avail idx 100"), std::string::npos) << core->needs_reset_reason();
  EXPECT_EQ(core->queue(0), nullptr) << "no queue access while the device needs a reset";
  const int notified = model.notified[0];
  core->notify_queue(0);
  EXPECT_EQ(model.notified[0], notified) << "notifications are ignored until reset";

  core->set_status(0);
  EXPECT_EQ(core->status(), 0);
  EXPECT_EQ(core->needs_reset_reason(), "");
  bring_up();
  offer();
  core->notify_queue(0);
  EXPECT_EQ(model.chains, 1) << "re-initialised after the reset";
}

TEST_F(DeviceCoreTest, HostileHeadIndexSetsNeedsReset) {
  bring_up();
  virtqueue::SplitRing hostile(area.memory, 8, rings0);
  hostile.store_avail_entry(0, 9);  // head 9 in a queue of 8
  hostile.store_avail_idx(1, std::memory_order_release);
  core->notify_queue(0);
  EXPECT_EQ(core->status() & kNeedsReset, kNeedsReset);
  EXPECT_NE(core->needs_reset_reason().find("head 9"), std::string::npos) << core->needs_reset_reason();
  EXPECT_EQ(core->interrupt_status(), virtio::kInterruptConfigChange);
}

TEST_F(DeviceCoreTest, NeedsResetBeforeDriverOkSendsNoNotification) {
  bring_up(kVersion1, false);
  core->set_needs_reset("test");
  EXPECT_EQ(core->status() & kNeedsReset, kNeedsReset);
  EXPECT_EQ(core->interrupt_status(), 0u);
  EXPECT_EQ(line.signals_sent(), 0u);
  core->set_status(kAck | kDriver | kFeaturesOk | kNeedsReset | kDriverOk);  // the driver echoes the bit
  EXPECT_EQ(model.activations, 0) << "a device that needs a reset does not go live";
}

// --- device reset in every state (§2.4) -----------------------------------------------------

enum class State { Zero, Acknowledged, Driver, FeaturesOk, QueueReady, Live, LiveWithWork, NeedsReset, Failed, Refused };

class ResetInEveryState : public DeviceCoreTest, public ::testing::WithParamInterface<State> {
 protected:
  void reach(State state) {
    switch (state) {
      case State::Zero: return;
      case State::Acknowledged: core->set_status(kAck); return;
      case State::Driver: write_status_steps(*core, kAck | kDriver); return;
      case State::FeaturesOk:
        write_status_steps(*core, kAck | kDriver);
        write_features(*core, kVersion1);
        core->set_status(kAck | kDriver | kFeaturesOk);
        return;
      case State::QueueReady: bring_up(kVersion1, false); return;
      case State::Live: bring_up(); return;
      case State::LiveWithWork:
        bring_up();
        offer(1);
        core->notify_queue(0);
        offer(2);  // published, not yet notified
        return;
      case State::NeedsReset:
        bring_up();
        core->set_needs_reset("test");
        return;
      case State::Failed:
        bring_up();
        core->set_status(kAck | kDriver | kFeaturesOk | kDriverOk | kFailed);
        return;
      case State::Refused:
        write_status_steps(*core, kAck | kDriver);
        write_features(*core, feature_bit(kFeatureA));
        core->set_status(kAck | kDriver | kFeaturesOk);
        return;
    }
  }
};

TEST_P(ResetInEveryState, ResetClearsEverythingAndSilencesTheDevice) {
  reach(GetParam());
  const int resets = model.resets;
  core->set_status(0);
  EXPECT_EQ(core->status(), 0);
  EXPECT_EQ(model.resets, resets + 1);
  EXPECT_EQ(core->interrupt_status(), 0u);
  EXPECT_FALSE(core->queue_ready(0));
  EXPECT_EQ(core->queue_size(0), 8u);
  EXPECT_EQ(core->queue_addresses(0).desc, 0u);
  EXPECT_EQ(core->driver_features(), 0u);
  EXPECT_EQ(core->queue(0), nullptr);

  // §2.4.1: no notification and no queue access until re-initialised.
  const std::uint64_t signals = line.signals_sent();
  const int chains = model.chains;
  const std::byte bytes[1] = {std::byte{1}};
  core->update_config(0, bytes);
  EXPECT_THROW(core->notify_queue(0), virtio::Error);
  EXPECT_EQ(line.signals_sent(), signals);
  EXPECT_EQ(model.chains, chains);
  EXPECT_EQ(core->interrupt_status(), 0u);

  // And it comes back.
  bring_up();
  offer(7);
  core->notify_queue(0);
  EXPECT_EQ(model.chains, chains + 1);
}

INSTANTIATE_TEST_SUITE_P(States, ResetInEveryState,
                         ::testing::Values(State::Zero, State::Acknowledged, State::Driver, State::FeaturesOk,
                                           State::QueueReady, State::Live, State::LiveWithWork, State::NeedsReset,
                                           State::Failed, State::Refused));

// --- virtqueue reset (§2.6.1) ---------------------------------------------------------------

TEST_F(DeviceCoreTest, QueueResetNeedsRingReset) {
  bring_up(kVersion1);
  expect_rejected([&] { core->reset_queue(0); }, "VIRTIO_F_RING_RESET is not negotiated");
  EXPECT_TRUE(core->queue_ready(0));
}

TEST_F(DeviceCoreTest, QueueResetStopsTheQueueUntilReEnabled) {
  bring_up(kVersion1 | kRingReset);
  offer(1);
  core->reset_queue(0);
  EXPECT_FALSE(core->queue_ready(0));
  EXPECT_EQ(core->queue_size(0), 8u);
  EXPECT_EQ(core->queue_addresses(0).used, 0u);
  EXPECT_EQ(model.stopped[0], 1);
  EXPECT_EQ(core->queue(0), nullptr);
  expect_rejected([&] { core->notify_queue(0); }, "not ready");
  EXPECT_EQ(model.chains, 0) << "the reset queue's buffers were not touched";
  EXPECT_EQ(used_idx(), 0);

  setup_queue0(kVersion1 | kRingReset);  // a fresh driver queue on the same rings
  EXPECT_EQ(model.enabled[0], 1);
  ASSERT_NE(core->queue(0), nullptr);
  offer(2);
  core->notify_queue(0);
  EXPECT_EQ(model.chains, 1);
  EXPECT_EQ(driver->reclaim()->token, 2u);
}

TEST_F(DeviceCoreTest, QueueReadyZeroStopsAccess) {
  bring_up();
  core->set_queue_ready(0, false);
  EXPECT_FALSE(core->queue_ready(0));
  EXPECT_EQ(model.stopped[0], 1);
  offer();
  expect_rejected([&] { core->notify_queue(0); }, "not ready");
  EXPECT_EQ(used_idx(), 0);
}

}  // namespace
}  // namespace vgen::test
