// The driver core over the in-process transport and over fakes: the §3.1.1 sequence step by
// step, refusals, configuration reads that retry on a generation change (§2.5.1), interrupt
// handling, queue reset (§2.6.1) and cleanup (§3.3).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include <vgen/trace/config_access.hpp>
#include <vgen/virtio/driver_core.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/in_process.hpp>

#include "recording_transport.hpp"
#include "support.hpp"

namespace vgen::test {
namespace {

using virtio::ErrorCode;
using virtio::feature_bit;

template <class Call>
void expect_error(ErrorCode code, Call&& call, const std::string& text = "") {
  try {
    call();
    ADD_FAILURE() << "expected virtio::Error " << virtio::to_string(code);
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

class DriverCoreTest : public ::testing::Test {
 protected:
  void SetUp() override { build(); }

  void build() {
    driver.reset();
    recording.reset();
    transport.reset();
    device.reset();
    device = std::make_unique<virtio::DeviceCore>(area.memory, model);
    transport = std::make_unique<virtio::InProcessTransport>(*device);
    recording = std::make_unique<RecordingTransport>(*transport);
    driver = std::make_unique<virtio::DriverCore>(*recording, area.memory, model.rules);
  }

  // Initialises with queue 0 (8 entries); `extra` runs inside step 7.
  std::uint64_t start(std::uint64_t wanted, const std::function<void(virtio::DriverCore&)>& extra = {}) {
    return driver->initialize(wanted, [&](virtio::DriverCore& d) {
      d.setup_queue(0, 8, area.allocator);
      if (extra) extra(d);
    });
  }

  // Adds a chain (16 readable, 32 writable bytes) to queue 0 without kicking.
  void add(std::uint64_t token) {
    const virtqueue::Buffer readable[] = {{area.allocator.allocate(16, 8), 16}};
    const virtqueue::Buffer writable[] = {{area.allocator.allocate(32, 8), 32}};
    ASSERT_TRUE(driver->queue(0).add(readable, writable, token).has_value());
  }

  GuestArea area;
  TestModel model;
  std::unique_ptr<virtio::DeviceCore> device;
  std::unique_ptr<virtio::InProcessTransport> transport;
  std::unique_ptr<RecordingTransport> recording;
  std::unique_ptr<virtio::DriverCore> driver;
};

// --- §3.1.1 ---------------------------------------------------------------------------------

TEST_F(DriverCoreTest, InitializeFollowsTheSequence) {
  const std::uint64_t features = start(kVersion1 | feature_bit(kFeatureA));
  EXPECT_EQ(features, kVersion1 | feature_bit(kFeatureA));
  EXPECT_EQ(driver->features(), features);
  EXPECT_EQ(device->negotiated_features(), features);
  EXPECT_EQ(device->status(), virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk |
                                  virtio::kStatusDriverOk);
  const std::vector<std::string> expected = {
      "set_status(0)", "status()", "set_status(1)", "set_status(3)", "device_features(0)", "device_features(1)",
      "set_driver_features(0,1)", "set_driver_features(1,1)", "set_status(11)", "status()", "queue_ready(0)",
      "queue_max_size(0)", "set_queue_size(0,8)", "set_queue_addresses(0)", "set_queue_ready(0,1)",
      "set_status(15)", "status()"};
  EXPECT_EQ(recording->log, expected);
  EXPECT_EQ(device->rejections().count(), 0u);
}

TEST_F(DriverCoreTest, StepsOutOfOrderAreRefusedByTheDriver) {
  expect_error(ErrorCode::InvalidState, [&] { driver->set_driver(); }, "ACKNOWLEDGE");
  expect_error(ErrorCode::InvalidState, [&] { driver->confirm_features(); }, "negotiate_features() first");
  expect_error(ErrorCode::InvalidState, [&] { driver->setup_queue(0, 8, area.allocator); }, "FEATURES_OK");
  expect_error(ErrorCode::InvalidState, [&] { driver->driver_ok(); }, "FEATURES_OK");
  expect_error(ErrorCode::InvalidState, [&] { driver->write_config(8, 4, 1); }, "FEATURES_OK");
  driver->reset();
  driver->acknowledge();
  expect_error(ErrorCode::InvalidState, [&] { driver->acknowledge(); }, "reset first");
  expect_error(ErrorCode::InvalidState, [&] { driver->negotiate_features(kVersion1); }, "DRIVER");
  EXPECT_EQ(device->rejections().count(), 0u) << "nothing out of order reached the device";
}

TEST_F(DriverCoreTest, DriverAcceptsOnlyOfferedImplementableFeatures) {
  const std::uint64_t accepted = start(~std::uint64_t{0});
  EXPECT_EQ(accepted, model.offered);
  model.offered |= feature_bit(virtqueue::kFeatureInOrder);
  build();
  // A device may offer more than the driver wants; the driver never takes an unwanted bit.
  EXPECT_EQ(start(kVersion1), kVersion1);
}

// Offers VIRTIO_F_RING_PACKED on top of the real device's features.
class PackedTransport : public RecordingTransport {
 public:
  using RecordingTransport::RecordingTransport;
  std::uint32_t device_features(std::uint32_t select) override {
    const std::uint32_t real = RecordingTransport::device_features(select);
    return select == 1 ? real | (1u << (virtqueue::kFeatureRingPacked - 32)) : real;
  }
};

TEST_F(DriverCoreTest, DriverNeverAcceptsFeaturesVgenDoesNotImplement) {
  PackedTransport packed(*transport);
  virtio::DriverCore packed_driver(packed, area.memory);
  packed_driver.reset();
  packed_driver.acknowledge();
  packed_driver.set_driver();
  const std::uint64_t accepted = packed_driver.negotiate_features(~std::uint64_t{0});
  EXPECT_NE(packed_driver.offered_features() & feature_bit(virtqueue::kFeatureRingPacked), 0u);
  EXPECT_EQ(accepted & feature_bit(virtqueue::kFeatureRingPacked), 0u);
  EXPECT_EQ(device->driver_features(), accepted);
}

TEST_F(DriverCoreTest, DriverDropsFeaturesWhoseRequirementIsMissing) {
  // The device offers B and C; a driver that wants C but not B must not accept C (§2.2.1).
  EXPECT_EQ(start(kVersion1 | feature_bit(kFeatureC)), kVersion1);
  EXPECT_EQ(device->rejections().count(), 0u);
  driver->shutdown();
  EXPECT_EQ(start(kVersion1 | feature_bit(kFeatureB) | feature_bit(kFeatureC)),
            kVersion1 | feature_bit(kFeatureB) | feature_bit(kFeatureC));
}

TEST_F(DriverCoreTest, RefusedFeaturesStopTheSequenceWithFailed) {
  model.veto = feature_bit(kFeatureA);
  build();
  expect_error(ErrorCode::FeaturesRefused, [&] { start(kVersion1 | feature_bit(kFeatureA)); }, "FEATURES_OK");
  EXPECT_EQ(device->status() & virtio::kStatusFailed, virtio::kStatusFailed);
  EXPECT_EQ(driver->status() & virtio::kStatusFailed, virtio::kStatusFailed);
  EXPECT_EQ(recording->count("set_queue"), 0u) << "no queue is set up after a refusal";
  EXPECT_EQ(start(kVersion1 | feature_bit(kFeatureB)), kVersion1 | feature_bit(kFeatureB)) << "re-init after reset";
}

// A device that offers no VERSION_1 cannot be built with vgen's device core; a fake plays it.
class LegacyTransport : public RecordingTransport {
 public:
  using RecordingTransport::RecordingTransport;
  std::uint32_t device_features(std::uint32_t select) override {
    RecordingTransport::device_features(select);
    return select == 0 ? 0x3 : 0;
  }
};

TEST_F(DriverCoreTest, LegacyDeviceIsRefusedWithFailed) {
  LegacyTransport legacy(*transport);
  virtio::DriverCore legacy_driver(legacy, area.memory);
  expect_error(ErrorCode::FeatureMissing, [&] { legacy_driver.initialize(kVersion1, {}); }, "VERSION_1");
  EXPECT_EQ(legacy.log.back(), "set_status(131)") << "ACKNOWLEDGE|DRIVER|FAILED";
  EXPECT_EQ(legacy.count("set_driver_features"), 0u);
}

TEST_F(DriverCoreTest, QueueSetupChecksTheDevice) {
  driver->reset();
  driver->acknowledge();
  driver->set_driver();
  driver->negotiate_features(kVersion1);
  driver->confirm_features();
  expect_error(ErrorCode::QueueUnavailable, [&] { driver->setup_queue(1, 8, area.allocator); }, "queue 1");
  expect_error(ErrorCode::QueueUnavailable, [&] { driver->setup_queue(5, 8, area.allocator); }, "queue 5");
  expect_error(ErrorCode::InvalidArgument, [&] { driver->setup_queue(0, 16, area.allocator); }, "QueueNumMax 8");
  device->set_queue_addresses(2, area.rings(16));
  device->set_queue_ready(2, true);  // someone else enabled it
  expect_error(ErrorCode::QueueInUse, [&] { driver->setup_queue(2, 16, area.allocator); }, "already reads ready");
  driver->setup_queue(0, 4, area.allocator);
  expect_error(ErrorCode::InvalidState, [&] { driver->setup_queue(0, 4, area.allocator); }, "already set up");
  EXPECT_EQ(device->queue_size(0), 4u);
  EXPECT_EQ(device->rejections().count(), 0u);
}

TEST_F(DriverCoreTest, KicksBeforeDriverOkAreHeldBack) {
  start(kVersion1, [&](virtio::DriverCore& d) {
    add(1);
    d.queue(0).kick();
    EXPECT_EQ(recording->count("notify"), 0u);
    EXPECT_EQ(model.notified[0], 0);
  });
  EXPECT_EQ(recording->count("notify(0)"), 1u) << "sent once DRIVER_OK was set";
  EXPECT_EQ(model.chains, 1);
  EXPECT_EQ(device->rejections().count(), 0u);
  const auto used = driver->queue(0).reclaim();
  ASSERT_TRUE(used);
  EXPECT_EQ(used->token, 1u);
}

TEST_F(DriverCoreTest, DeviceNeedingResetAtDriverOkStopsTheSequence) {
  model.fail_activation = true;
  build();
  expect_error(ErrorCode::DeviceNeedsReset, [&] { start(kVersion1); }, "DEVICE_NEEDS_RESET when it went live");
  EXPECT_EQ(device->status() & virtio::kStatusFailed, virtio::kStatusFailed);
  EXPECT_NE(device->needs_reset_reason().find("the test model failed to activate"), std::string::npos);
}

// --- interrupts -----------------------------------------------------------------------------

TEST_F(DriverCoreTest, InterruptsAreReadAcknowledgedAndClassified) {
  start(kVersion1);
  add(1);
  driver->queue(0).kick();
  auto events = driver->wait_interrupt(std::chrono::milliseconds(0));
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->used);
  EXPECT_FALSE(events->config);
  EXPECT_EQ(device->interrupt_status(), 0u) << "acknowledged";

  const std::byte bytes[1] = {std::byte{9}};
  device->update_config(0, bytes);
  events = driver->wait_interrupt(std::chrono::milliseconds(0));
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->config);
  EXPECT_FALSE(events->needs_reset);

  device->set_needs_reset("broken");
  events = driver->wait_interrupt(std::chrono::milliseconds(0));
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->needs_reset);
  EXPECT_FALSE(driver->wait_interrupt(std::chrono::milliseconds(0))) << "no interrupt pending";
}

TEST_F(DriverCoreTest, InProcessHandlerRunsAfterTheDeviceReleasedItsLock) {
  start(kVersion1);
  std::vector<virtio::InterruptEvents> seen;
  transport->set_interrupt_handler([&] { seen.push_back(driver->handle_interrupt()); });
  add(1);
  driver->queue(0).kick();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].used);
  EXPECT_EQ(driver->queue(0).reclaim()->token, 1u);
}

// --- configuration (§2.5.1) -----------------------------------------------------------------

TEST_F(DriverCoreTest, SixtyFourBitReadRetriesWhenTheConfigChangesMidRead) {
  start(kVersion1);
  const std::uint64_t old_value = 0x1111111122222222ull;
  const std::uint64_t new_value = 0x3333333344444444ull;
  auto bytes_of = [](std::uint64_t v) {
    std::array<std::byte, 8> b;
    for (int i = 0; i < 8; ++i) b[i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
    return b;
  };
  device->update_config(0, bytes_of(old_value), false);
  bool changed = false;
  recording->before = [&](const std::string& op) {
    // The device changes the field between the driver's two 32-bit halves.
    if (op == "read_config(4,4)" && !changed) {
      changed = true;
      device->update_config(0, bytes_of(new_value), false);
    }
  };
  recording->log.clear();
  const std::uint64_t value = driver->read_config<std::uint64_t>(0);
  EXPECT_EQ(value, new_value);
  EXPECT_NE(value, (new_value & 0xffffffff00000000ull) | (old_value & 0xffffffffull)) << "torn value";
  EXPECT_EQ(recording->count("config_generation()"), 4u) << "two attempts";
  EXPECT_EQ(recording->count("read_config(0,4)"), 2u);
  EXPECT_EQ(recording->count("read_config(4,4)"), 2u) << "a 64-bit field is read as two 32-bit halves";
}

class RestlessTransport : public RecordingTransport {
 public:
  using RecordingTransport::RecordingTransport;
  std::uint32_t config_generation() override { return generation_++; }

 private:
  std::uint32_t generation_ = 0;
};

TEST_F(DriverCoreTest, GenerationThatNeverSettlesIsReported) {
  RestlessTransport restless(*transport);
  virtio::DriverCore restless_driver(restless, area.memory);
  expect_error(ErrorCode::ConfigUnstable, [&] { restless_driver.read_config<std::uint32_t>(0); }, "64 reads");
  EXPECT_EQ(restless.count("read_config"), virtio::DriverCore::kConfigAttempts);
}

TEST_F(DriverCoreTest, OptionalFieldsNeedTheirFeature) {
  start(kVersion1);
  expect_error(ErrorCode::FeatureMissing, [&] { driver->read_config<std::uint32_t>(8, kFeatureA); }, "feature bit 0");
  EXPECT_EQ(recording->count("read_config"), 0u) << "the field was not touched";
  driver->shutdown();
  start(kVersion1 | feature_bit(kFeatureA));
  EXPECT_EQ(driver->read_config<std::uint32_t>(8, kFeatureA), 0u);
}

TEST_F(DriverCoreTest, FieldWidthsAndByteArrays) {
  start(kVersion1);
  std::byte three[3];
  expect_error(ErrorCode::InvalidArgument, [&] { driver->read_config(0, three); }, "1, 2, 4 or 8");
  recording->log.clear();
  std::byte bytes[6];
  driver->read_config_bytes(2, bytes);
  EXPECT_EQ(recording->count("read_config(2,1)"), 1u);
  EXPECT_EQ(recording->count("read_config(7,1)"), 1u);
  EXPECT_EQ(recording->count("read_config"), 6u);
  driver->write_config(8, 4, 0xabcdef01);
  EXPECT_EQ(driver->read_config<std::uint32_t>(8), 0xabcdef01u);
  expect_error(ErrorCode::Rejected, [&] { driver->write_config(0, 4, 1); }, "only the field at 8");
}

// The driver records every configuration access it makes, marked as the driver's
// (trace::kConfigByDriver), beside the device's own records of the same accesses: a 64-bit
// field as its two 32-bit reads, byte arrays byte by byte, a refused write as refused.
TEST_F(DriverCoreTest, ConfigAccessesAreTracedByBothSides) {
  struct Sink : trace::TraceSink {
    std::vector<trace::Event> events;
    void record(const trace::Event& e) noexcept override {
      if (e.kind == trace::EventKind::ConfigRead || e.kind == trace::EventKind::ConfigWrite) events.push_back(e);
    }
  } sink;
  start(kVersion1);
  driver->write_config(8, 4, 0x11223344);
  driver->set_trace(&sink);
  device->set_trace(&sink);
  const auto by = [&](bool driver_side) {
    std::vector<trace::Event> out;
    for (const trace::Event& e : sink.events) {
      if (trace::config_by_driver(e.b) == driver_side) out.push_back(e);
    }
    return out;
  };
  EXPECT_EQ(driver->read_config<std::uint64_t>(8) & 0xffffffffu, 0x11223344u);
  std::vector<trace::Event> mine = by(true);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].kind, trace::EventKind::ConfigRead);
  EXPECT_EQ(mine[0].index, 8u);
  EXPECT_EQ(mine[0].head, 4u);
  EXPECT_EQ(mine[0].a, 0x11223344u);
  EXPECT_EQ(mine[0].b, trace::kConfigByDriver);
  EXPECT_EQ(mine[1].index, 12u);
  EXPECT_EQ(by(false).size(), 2u);  // the device served the same two reads
  for (const trace::Event& e : by(false)) EXPECT_EQ(e.b, 0u);

  sink.events.clear();
  std::byte bytes[3];
  driver->read_config_bytes(9, bytes);
  mine = by(true);
  ASSERT_EQ(mine.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(mine[i].index, 9u + i);
    EXPECT_EQ(mine[i].head, 1u);
    EXPECT_EQ(mine[i].a, std::to_integer<std::uint64_t>(bytes[i]));
  }

  sink.events.clear();
  driver->write_config(8, 4, 0xabcdef01);
  expect_error(
      ErrorCode::Rejected, [&] { driver->write_config(0, 4, 1); }, "only the field at 8");
  mine = by(true);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].kind, trace::EventKind::ConfigWrite);
  EXPECT_EQ(mine[0].a, 0xabcdef01u);
  EXPECT_EQ(mine[0].b, trace::kConfigByDriver);
  EXPECT_EQ(mine[1].index, 0u);
  EXPECT_EQ(mine[1].b, trace::kConfigByDriver | trace::kConfigRefused);
  const std::vector<trace::Event> theirs = by(false);
  ASSERT_EQ(theirs.size(), 2u);
  EXPECT_EQ(theirs[1].b, trace::kConfigRefused);

  // Not traced: nothing more is recorded.
  driver->set_trace(nullptr);
  device->set_trace(nullptr);
  sink.events.clear();
  driver->read_config<std::uint32_t>(8);
  EXPECT_TRUE(sink.events.empty());
}

// --- reset, queue reset, cleanup ------------------------------------------------------------

TEST_F(DriverCoreTest, ShutdownResetsBeforeReclaimingBuffers) {
  start(kVersion1);
  add(1);
  add(2);
  add(3);
  driver->queue(0).publish();  // visible to the device, never notified
  std::uint32_t in_flight_at_reset = 0;
  recording->before = [&](const std::string& op) {
    if (op == "set_status(0)") in_flight_at_reset = driver->queue(0).in_flight();
  };
  const virtio::DetachedBuffers detached = driver->shutdown();
  EXPECT_EQ(in_flight_at_reset, 3u) << "§3.3.1: nothing is reclaimed from a live device";
  ASSERT_EQ(detached.count(0), 1u);
  EXPECT_EQ(detached.at(0), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(device->status(), 0);
  EXPECT_FALSE(driver->has_queue(0));
  EXPECT_EQ(driver->features(), 0u);
}

// A chain added and never published is in the trace before the reset that withdraws it: the
// driver's queue records its chains when it publishes them, and shutdown() makes it record
// the ones it still holds before it resets the device.
TEST_F(DriverCoreTest, ShutdownRecordsUnpublishedChainsBeforeTheReset) {
  struct Sink : trace::TraceSink {
    std::vector<trace::EventKind> kinds;
    void record(const trace::Event& e) noexcept override {
      if (e.kind == trace::EventKind::ChainAdded || e.kind == trace::EventKind::StateChanged) kinds.push_back(e.kind);
    }
  } sink;
  start(kVersion1);
  driver->set_trace(&sink);
  add(1);
  EXPECT_TRUE(sink.kinds.empty());
  driver->shutdown();
  EXPECT_EQ(sink.kinds, (std::vector<trace::EventKind>{trace::EventKind::ChainAdded, trace::EventKind::StateChanged}));
  driver->set_trace(nullptr);
}

TEST_F(DriverCoreTest, ResetNeedsQueuesShutDownFirst) {
  start(kVersion1);
  expect_error(ErrorCode::InvalidState, [&] { driver->reset(); }, "shutdown()");
  expect_error(ErrorCode::InvalidState, [&] { start(kVersion1); }, "shutdown() first");
  driver->shutdown();
  EXPECT_EQ(start(kVersion1), kVersion1);
}

class StuckTransport : public RecordingTransport {
 public:
  using RecordingTransport::RecordingTransport;
  std::uint8_t status() override { return virtio::kStatusAcknowledge; }
};

TEST_F(DriverCoreTest, ResetThatNeverCompletesTimesOut) {
  StuckTransport stuck(*transport);
  virtio::DriverCore stuck_driver(stuck, area.memory);
  expect_error(ErrorCode::Timeout, [&] { stuck_driver.reset(); }, "did not read 0");
}

TEST_F(DriverCoreTest, QueueResetReturnsUnusedBuffersAndReEnables) {
  start(kVersion1 | kRingReset);
  add(1);
  add(2);
  driver->queue(0).publish();
  const std::vector<std::uint64_t> tokens = driver->reset_queue(0);
  EXPECT_EQ(tokens, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_FALSE(driver->has_queue(0));
  EXPECT_FALSE(device->queue_ready(0));
  EXPECT_EQ(model.chains, 0);

  driver->setup_queue(0, 8, area.allocator);
  add(3);
  driver->queue(0).kick();
  EXPECT_EQ(model.chains, 1);
  EXPECT_EQ(driver->queue(0).reclaim()->token, 3u);
  EXPECT_EQ(device->rejections().count(), 0u);
}

TEST_F(DriverCoreTest, QueueResetNeedsTheFeature) {
  start(kVersion1);
  expect_error(ErrorCode::FeatureMissing, [&] { driver->reset_queue(0); }, "VIRTIO_F_RING_RESET");
  expect_error(ErrorCode::InvalidState, [&] { driver->setup_queue(2, 8, area.allocator); }, "queue reset");
}

}  // namespace
}  // namespace vgen::test
