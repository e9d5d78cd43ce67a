// virtio-mmio without threads: the register file's rules (§4.2.2.1, and every access out of
// the rules of §4.2.2.2 refused and reported), and the driver transport's discipline
// (§4.2.2.2, §4.2.3) checked on a logging or scripted bus.
#include <gtest/gtest.h>

#include <linux/virtio_mmio.h>

#include <deque>
#include <functional>
#include <map>
#include <sstream>

#include <vgen/notify/polling.hpp>
#include <vgen/virtio/driver_core.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/mmio_register_file.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_transport.hpp>
#include <vgen/virtio/mmio_window.hpp>

#include "support.hpp"

namespace vgen::test {
namespace {

namespace mmio = virtio::mmio;
using virtio::AccessFault;
using virtio::feature_bit;

std::string hex(std::uint32_t v) {
  std::ostringstream out;
  out << std::hex << v;
  return out.str();
}

// Logs "r <offset>" / "w <offset>=<value>" (hex) and forwards to another bus.
class LoggingBus : public virtio::MmioBus {
 public:
  explicit LoggingBus(virtio::MmioBus& inner) : inner_(inner) {}
  std::vector<std::string> log;
  virtio::AccessResult read(std::uint32_t offset, unsigned width) override {
    log.push_back("r " + hex(offset));
    return inner_.read(offset, width);
  }
  virtio::AccessResult write(std::uint32_t offset, unsigned width, std::uint32_t value) override {
    log.push_back("w " + hex(offset) + "=" + hex(value));
    return inner_.write(offset, width, value);
  }

 private:
  virtio::MmioBus& inner_;
};

// Answers reads from per-offset scripts (the last value repeats); logs like LoggingBus.
class ScriptedBus : public virtio::MmioBus {
 public:
  std::map<std::uint32_t, std::deque<std::uint32_t>> values;
  std::map<std::uint32_t, AccessFault> faults;
  std::vector<std::string> log;
  virtio::AccessResult read(std::uint32_t offset, unsigned) override {
    log.push_back("r " + hex(offset));
    if (faults.count(offset) != 0) return {0, faults[offset]};
    auto& script = values[offset];
    if (script.empty()) return {};
    const std::uint32_t value = script.front();
    if (script.size() > 1) script.pop_front();
    return {value, AccessFault::None};
  }
  virtio::AccessResult write(std::uint32_t offset, unsigned, std::uint32_t value) override {
    log.push_back("w " + hex(offset) + "=" + hex(value));
    if (faults.count(offset) != 0) return {0, faults[offset]};
    return {};
  }
};

class MmioRegisters : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::size_t i = 0; i < model.config.size(); ++i) model.config[i] = static_cast<std::byte>(0xa0 + i);
    core = std::make_unique<virtio::DeviceCore>(area.memory, model);
    core->set_interrupt_notifier(&line);
    registers = std::make_unique<virtio::MmioRegisterFile>(*core);
  }

  std::uint32_t read(std::uint32_t offset) {
    const virtio::AccessResult r = registers->read(offset, 4);
    EXPECT_EQ(r.fault, AccessFault::None) << "read at " << hex(offset);
    return r.value;
  }
  void write(std::uint32_t offset, std::uint32_t value) {
    EXPECT_EQ(registers->write(offset, 4, value).fault, AccessFault::None) << "write at " << hex(offset);
  }
  // Expects the access to fault with `fault`, to be logged, and (for reads) to return 0.
  void expect_read_fault(std::uint32_t offset, unsigned width, AccessFault fault) {
    const std::uint64_t before = core->rejections().count();
    const virtio::AccessResult r = registers->read(offset, width);
    EXPECT_EQ(r.fault, fault) << "read of " << width << " at " << hex(offset);
    EXPECT_EQ(r.value, 0u);
    EXPECT_EQ(core->rejections().count(), before + 1) << "every refused access is reported";
  }
  void expect_write_fault(std::uint32_t offset, unsigned width, std::uint32_t value, AccessFault fault) {
    const std::uint64_t before = core->rejections().count();
    EXPECT_EQ(registers->write(offset, width, value).fault, fault) << "write at " << hex(offset);
    EXPECT_EQ(core->rejections().count(), before + 1);
  }
  // Initialises through the registers, as a driver would, with `features`.
  void bring_up(std::uint64_t features) {
    write(mmio::kStatus, virtio::kStatusAcknowledge);
    write(mmio::kStatus, virtio::kStatusAcknowledge | virtio::kStatusDriver);
    write(mmio::kDriverFeaturesSel, 0);
    write(mmio::kDriverFeatures, static_cast<std::uint32_t>(features));
    write(mmio::kDriverFeaturesSel, 1);
    write(mmio::kDriverFeatures, static_cast<std::uint32_t>(features >> 32));
    write(mmio::kStatus, virtio::kStatusAcknowledge | virtio::kStatusDriver | virtio::kStatusFeaturesOk);
  }

  GuestArea area;
  TestModel model;
  CountingLine line;
  std::unique_ptr<virtio::DeviceCore> core;
  std::unique_ptr<virtio::MmioRegisterFile> registers;
};

TEST_F(MmioRegisters, IdentityRegisters) {
  EXPECT_EQ(read(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
  EXPECT_EQ(read(VIRTIO_MMIO_VERSION), 2u);
  EXPECT_EQ(read(VIRTIO_MMIO_DEVICE_ID), static_cast<std::uint32_t>(VIRTIO_ID_NET));
  EXPECT_EQ(read(VIRTIO_MMIO_VENDOR_ID), 0x1af4u);
  EXPECT_EQ(registers->window_size(), 0x100u + 16u);
}

TEST_F(MmioRegisters, ControlRegistersTakeOnly32BitAlignedAccesses) {
  expect_read_fault(VIRTIO_MMIO_STATUS, 2, AccessFault::BadWidth);
  expect_read_fault(VIRTIO_MMIO_STATUS, 1, AccessFault::BadWidth);
  expect_read_fault(VIRTIO_MMIO_STATUS + 1, 4, AccessFault::BadWidth);
  expect_write_fault(VIRTIO_MMIO_STATUS, 1, virtio::kStatusAcknowledge, AccessFault::BadWidth);
  EXPECT_EQ(core->status(), 0) << "the refused write changed nothing";
  EXPECT_NE(core->rejections().last().find("(Status)"), std::string::npos) << core->rejections().last();
  EXPECT_NE(core->rejections().last().find("32-bit"), std::string::npos);
}

TEST_F(MmioRegisters, UndefinedOffsetsAreRefused) {
  expect_read_fault(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4, AccessFault::Undefined);
  expect_write_fault(VIRTIO_MMIO_QUEUE_PFN, 4, 1, AccessFault::Undefined);
  expect_write_fault(VIRTIO_MMIO_QUEUE_ALIGN, 4, 4096, AccessFault::Undefined);
  expect_read_fault(0x0f8, 4, AccessFault::Undefined);
  expect_read_fault(VIRTIO_MMIO_CONFIG + 16, 1, AccessFault::Undefined);
  expect_write_fault(0x1000, 4, 0, AccessFault::Undefined);
}

TEST_F(MmioRegisters, DirectionsAreEnforced) {
  expect_write_fault(VIRTIO_MMIO_MAGIC_VALUE, 4, 0, AccessFault::ReadOnly);
  EXPECT_EQ(read(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
  expect_write_fault(VIRTIO_MMIO_INTERRUPT_STATUS, 4, 3, AccessFault::ReadOnly);
  expect_write_fault(VIRTIO_MMIO_CONFIG_GENERATION, 4, 3, AccessFault::ReadOnly);
  expect_write_fault(VIRTIO_MMIO_QUEUE_NUM_MAX, 4, 3, AccessFault::ReadOnly);
  expect_read_fault(VIRTIO_MMIO_QUEUE_NOTIFY, 4, AccessFault::WriteOnly);
  expect_read_fault(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 4, AccessFault::WriteOnly);
  expect_read_fault(VIRTIO_MMIO_DRIVER_FEATURES, 4, AccessFault::WriteOnly);
  expect_read_fault(VIRTIO_MMIO_QUEUE_DESC_LOW, 4, AccessFault::WriteOnly);
}

TEST_F(MmioRegisters, FeatureWindowsFollowTheirSelectors) {
  write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  EXPECT_EQ(read(VIRTIO_MMIO_DEVICE_FEATURES), static_cast<std::uint32_t>(model.offered >> 32));
  write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  EXPECT_EQ(read(VIRTIO_MMIO_DEVICE_FEATURES), static_cast<std::uint32_t>(model.offered));
  write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7);
  EXPECT_EQ(read(VIRTIO_MMIO_DEVICE_FEATURES), 0u);
  write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  write(VIRTIO_MMIO_DRIVER_FEATURES, 1);
  EXPECT_EQ(core->driver_features(), kVersion1);
}

TEST_F(MmioRegisters, QueueRegistersFollowQueueSel) {
  write(VIRTIO_MMIO_QUEUE_SEL, 1);
  EXPECT_EQ(read(VIRTIO_MMIO_QUEUE_NUM_MAX), 0u) << "queue 1 is not available";
  write(VIRTIO_MMIO_QUEUE_SEL, 1000);
  EXPECT_EQ(read(VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
  expect_write_fault(VIRTIO_MMIO_QUEUE_NUM, 4, 4, AccessFault::Rejected);
  write(VIRTIO_MMIO_QUEUE_SEL, 2);
  EXPECT_EQ(read(VIRTIO_MMIO_QUEUE_NUM_MAX), 16u);
  expect_write_fault(VIRTIO_MMIO_QUEUE_NUM, 4, 32, AccessFault::Rejected);
  write(VIRTIO_MMIO_QUEUE_NUM, 16);
  write(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x2000);
  write(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x1);
  write(VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x3000);
  write(VIRTIO_MMIO_QUEUE_USED_HIGH, 0x2);
  const virtqueue::RingAddresses a = core->queue_addresses(2);
  EXPECT_EQ(a.desc, 0x100002000u);
  EXPECT_EQ(a.avail, 0x3000u);
  EXPECT_EQ(a.used, 0x200000000u);
}

TEST_F(MmioRegisters, RegisterValuesOutOfRangeAreRejected) {
  expect_write_fault(VIRTIO_MMIO_STATUS, 4, 0x101, AccessFault::Rejected);
  expect_write_fault(VIRTIO_MMIO_QUEUE_READY, 4, 2, AccessFault::Rejected);
  expect_write_fault(VIRTIO_MMIO_INTERRUPT_ACK, 4, 0x8, AccessFault::Rejected);
  bring_up(kVersion1);
  write(VIRTIO_MMIO_STATUS, 0xf);
  expect_write_fault(VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0x10000, AccessFault::Rejected);
  expect_write_fault(VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0, AccessFault::Rejected);  // queue 0 is not ready
  expect_write_fault(VIRTIO_MMIO_STATUS, 4, 0x7, AccessFault::Rejected);      // clears FEATURES_OK
  EXPECT_EQ(read(VIRTIO_MMIO_STATUS), 0xfu);
}

TEST_F(MmioRegisters, NoSharedMemoryRegions) {
  write(VIRTIO_MMIO_SHM_SEL, 0);
  EXPECT_EQ(read(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
  EXPECT_EQ(read(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
  EXPECT_EQ(read(VIRTIO_MMIO_SHM_BASE_LOW), 0xffffffffu);
  EXPECT_EQ(read(VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffffu);
}

TEST_F(MmioRegisters, ConfigSpaceTakesFieldWidths) {
  EXPECT_EQ(registers->read(VIRTIO_MMIO_CONFIG, 4).value, 0xa3a2a1a0u);
  EXPECT_EQ(registers->read(VIRTIO_MMIO_CONFIG + 2, 2).value, 0xa3a2u);
  EXPECT_EQ(registers->read(VIRTIO_MMIO_CONFIG + 15, 1).value, 0xafu);
  expect_read_fault(VIRTIO_MMIO_CONFIG + 1, 2, AccessFault::BadWidth);
  expect_read_fault(VIRTIO_MMIO_CONFIG + 2, 4, AccessFault::BadWidth);
  expect_read_fault(VIRTIO_MMIO_CONFIG, 3, AccessFault::BadWidth);
  expect_write_fault(VIRTIO_MMIO_CONFIG + 8, 4, 1, AccessFault::Rejected);  // before FEATURES_OK
  bring_up(kVersion1);
  EXPECT_EQ(registers->write(VIRTIO_MMIO_CONFIG + 8, 4, 0x12345678).fault, AccessFault::None);
  EXPECT_EQ(registers->read(VIRTIO_MMIO_CONFIG + 8, 4).value, 0x12345678u);
  expect_write_fault(VIRTIO_MMIO_CONFIG + 14, 1, 0x1ff, AccessFault::BadWidth);
}

TEST_F(MmioRegisters, QueueResetRegister) {
  bring_up(kVersion1);
  write(VIRTIO_MMIO_QUEUE_SEL, 0);
  expect_write_fault(mmio::kQueueReset, 4, 1, AccessFault::Rejected);  // RING_RESET not negotiated
  write(VIRTIO_MMIO_STATUS, 0);
  bring_up(kVersion1 | feature_bit(virtqueue::kFeatureRingReset));
  const virtqueue::RingAddresses rings = area.rings(8);
  write(VIRTIO_MMIO_QUEUE_SEL, 0);
  write(VIRTIO_MMIO_QUEUE_NUM, 8);
  write(VIRTIO_MMIO_QUEUE_DESC_LOW, static_cast<std::uint32_t>(rings.desc));
  write(VIRTIO_MMIO_QUEUE_AVAIL_LOW, static_cast<std::uint32_t>(rings.avail));
  write(VIRTIO_MMIO_QUEUE_USED_LOW, static_cast<std::uint32_t>(rings.used));
  write(VIRTIO_MMIO_QUEUE_READY, 1);
  write(VIRTIO_MMIO_STATUS, 0xf);
  EXPECT_EQ(read(VIRTIO_MMIO_QUEUE_READY), 1u);
  write(mmio::kQueueReset, 1);
  EXPECT_EQ(read(mmio::kQueueReset), 0u) << "the reset completed";
  EXPECT_EQ(read(VIRTIO_MMIO_QUEUE_READY), 0u);
  EXPECT_EQ(model.stopped[0], 1);
  expect_write_fault(mmio::kQueueReset, 4, 0, AccessFault::Rejected);
}

// --- the shared window -----------------------------------------------------------------------

struct Page {
  Page() : storage(static_cast<std::byte*>(std::aligned_alloc(4096, 4096))) { std::memset(storage.get(), 0, 4096); }
  std::unique_ptr<std::byte, GuestArea::Free> storage;
};

TEST(MmioWindowLayout, AttachChecksTheArea) {
  Page page;
  EXPECT_THROW(virtio::MmioWindow::attach(page.storage.get(), 4096), virtio::Error) << "not formatted";
  EXPECT_THROW(virtio::MmioWindow::format(page.storage.get(), 256), virtio::Error) << "too small";
  EXPECT_THROW(virtio::MmioWindow::format(page.storage.get() + 8, 1024), virtio::Error) << "misaligned";
  EXPECT_THROW(virtio::MmioWindow::format(nullptr, 4096), virtio::Error);
  virtio::MmioWindow& window = virtio::MmioWindow::format(page.storage.get(), 4096);
  EXPECT_EQ(&virtio::MmioWindow::attach(page.storage.get(), 4096), &window);
  window.header.layout_version = 9;
  EXPECT_THROW(virtio::MmioWindow::attach(page.storage.get(), 4096), virtio::Error) << "another layout";
}

TEST_F(MmioRegisters, HostileCyclesThroughTheWindowAreFaultedAndReported) {
  Page page;
  virtio::MmioWindow& window = virtio::MmioWindow::format(page.storage.get(), 4096);
  virtio::MmioDeviceServer server(window, *registers);
  EXPECT_FALSE(server.serve_pending()) << "nothing posted";
  // A driver posts a 3-byte write to Status by hand.
  window.request = {1, mmio::kStatus, 3, 1, virtio::kStatusAcknowledge};
  ASSERT_TRUE(server.serve_pending());
  EXPECT_EQ(window.completion.sequence, 1u);
  EXPECT_EQ(window.completion.fault, static_cast<std::uint32_t>(AccessFault::BadWidth));
  EXPECT_EQ(core->status(), 0);
  EXPECT_EQ(core->rejections().count(), 1u);
  EXPECT_EQ(window.header.faults, 1u);
  EXPECT_FALSE(server.serve_pending()) << "each request is served once";
  window.request = {2, mmio::kMagicValue, 4, 0, 0};
  ASSERT_TRUE(server.serve_pending());
  EXPECT_EQ(window.completion.value, mmio::kMagic);
  EXPECT_EQ(window.completion.fault, 0u);
  EXPECT_EQ(window.header.cycles_served, 2u);
  EXPECT_FALSE(server.stop_requested());
  virtio::MmioDeviceServer::request_stop(window);
  EXPECT_TRUE(server.stop_requested());
  server.run();  // returns at once
}

// --- the driver transport over the register file --------------------------------------------

class MmioDriver : public MmioRegisters {
 protected:
  void SetUp() override {
    MmioRegisters::SetUp();
    logging = std::make_unique<LoggingBus>(*registers);
    transport = virtio::MmioTransport::discover(*logging, interrupt);
    ASSERT_NE(transport, nullptr);
    driver = std::make_unique<virtio::DriverCore>(*transport, area.memory, model.rules);
  }

  notify::PollingNotifier interrupt;  // this test polls; the device's line is `line`
  std::unique_ptr<LoggingBus> logging;
  std::unique_ptr<virtio::MmioTransport> transport;
  std::unique_ptr<virtio::DriverCore> driver;
};

TEST_F(MmioDriver, DiscoveryReadsMagicVersionDeviceThenVendor) {
  EXPECT_EQ(logging->log, (std::vector<std::string>{"r 0", "r 4", "r 8", "r c"}));
  EXPECT_EQ(transport->device_id(), static_cast<std::uint32_t>(VIRTIO_ID_NET));
  EXPECT_EQ(transport->vendor_id(), 0x1af4u);
}

TEST_F(MmioDriver, FeatureAccessesWriteTheSelectorFirst) {
  logging->log.clear();
  transport->device_features(1);
  transport->set_driver_features(0, 5);
  EXPECT_EQ(logging->log, (std::vector<std::string>{"w 14=1", "r 10", "w 24=0", "w 20=5"}));
}

TEST_F(MmioDriver, FaithfulDriverMakesNoRefusedAccess) {
  const std::uint64_t features = driver->initialize(kVersion1 | feature_bit(kFeatureB), [&](virtio::DriverCore& d) {
    d.setup_queue(0, 8, area.allocator);
    d.setup_queue(2, 16, area.allocator);
  });
  EXPECT_EQ(features, kVersion1 | feature_bit(kFeatureB));
  const virtqueue::Buffer writable[] = {{area.allocator.allocate(64, 8), 64}};
  driver->queue(2).add({}, writable, 77);
  driver->queue(2).kick();
  EXPECT_EQ(model.notified[2], 1);
  EXPECT_EQ(line.signals_sent(), 1u);
  logging->log.clear();
  const virtio::InterruptEvents events = driver->handle_interrupt();
  EXPECT_TRUE(events.used);
  EXPECT_EQ(logging->log, (std::vector<std::string>{"r 60", "w 64=1"})) << "§4.2.3.4.1: read, then acknowledge";
  EXPECT_EQ(driver->queue(2).reclaim()->length, 64u);
  EXPECT_EQ(driver->read_config<std::uint64_t>(0), 0xa7a6a5a4a3a2a1a0ull);
  driver->shutdown();
  EXPECT_EQ(core->rejections().count(), 0u) << core->rejections().last();
  EXPECT_EQ(registers->read(VIRTIO_MMIO_STATUS, 4).value, 0u);
}

TEST_F(MmioDriver, ResetClearsQueueReadyAndInterruptStatus) {
  driver->initialize(kVersion1, [&](virtio::DriverCore& d) { d.setup_queue(0, 8, area.allocator); });
  const std::byte bytes[1] = {std::byte{1}};
  core->update_config(0, bytes);
  EXPECT_EQ(read(VIRTIO_MMIO_INTERRUPT_STATUS), virtio::kInterruptConfigChange);
  write(VIRTIO_MMIO_STATUS, 0);
  EXPECT_EQ(read(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
  write(VIRTIO_MMIO_QUEUE_SEL, 0);
  EXPECT_EQ(read(VIRTIO_MMIO_QUEUE_READY), 0u);
  driver->shutdown();
}

TEST_F(MmioDriver, StoppingAQueueReadsQueueReadyBack) {
  logging->log.clear();
  transport->set_queue_ready(2, false);
  EXPECT_EQ(logging->log, (std::vector<std::string>{"w 30=2", "w 44=0", "r 44"}));
}

TEST(MmioDiscovery, BadMagicIsReportedAfterOneAccess) {
  ScriptedBus bus;
  bus.values[mmio::kMagicValue] = {0x12345678};
  notify::PollingNotifier line;
  try {
    virtio::MmioTransport::discover(bus, line);
    FAIL() << "expected BadMagic";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), virtio::ErrorCode::BadMagic);
    EXPECT_NE(std::string(e.what()).find("0x12345678"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bus.log, (std::vector<std::string>{"r 0"}));
}

TEST(MmioDiscovery, LegacyVersionIsReported) {
  ScriptedBus bus;
  bus.values[mmio::kMagicValue] = {mmio::kMagic};
  bus.values[mmio::kVersion] = {1};
  notify::PollingNotifier line;
  try {
    virtio::MmioTransport::discover(bus, line);
    FAIL() << "expected BadVersion";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), virtio::ErrorCode::BadVersion);
    EXPECT_NE(std::string(e.what()).find("legacy"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bus.log, (std::vector<std::string>{"r 0", "r 4"}));
}

TEST(MmioDiscovery, DeviceIdZeroIsIgnoredSilentlyWithoutFurtherAccess) {
  ScriptedBus bus;
  bus.values[mmio::kMagicValue] = {mmio::kMagic};
  bus.values[mmio::kVersion] = {2};
  bus.values[mmio::kDeviceId] = {0};
  notify::PollingNotifier line;
  EXPECT_EQ(virtio::MmioTransport::discover(bus, line), nullptr);
  EXPECT_EQ(bus.log, (std::vector<std::string>{"r 0", "r 4", "r 8"})) << "§4.2.3.1.1: no other register";
}

TEST(MmioDiscovery, FaultsBecomeErrorsNamingTheRegister) {
  ScriptedBus bus;
  bus.values[mmio::kMagicValue] = {mmio::kMagic};
  bus.values[mmio::kVersion] = {2};
  bus.values[mmio::kDeviceId] = {VIRTIO_ID_BLOCK};
  bus.faults[mmio::kQueueNum] = AccessFault::Rejected;
  notify::PollingNotifier line;
  const auto transport = virtio::MmioTransport::discover(bus, line);
  ASSERT_NE(transport, nullptr);
  try {
    transport->set_queue_size(0, 4096);
    FAIL() << "expected RegisterFault";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), virtio::ErrorCode::RegisterFault);
    EXPECT_NE(std::string(e.what()).find("QueueNum (0x38): Rejected"), std::string::npos) << e.what();
  }
}

TEST(MmioDiscovery, QueueResetIsPolledUntilItReadsZero) {
  ScriptedBus bus;
  bus.values[mmio::kMagicValue] = {mmio::kMagic};
  bus.values[mmio::kVersion] = {2};
  bus.values[mmio::kDeviceId] = {VIRTIO_ID_BLOCK};
  bus.values[mmio::kQueueReset] = {1, 1, 0};
  notify::PollingNotifier line;
  const auto transport = virtio::MmioTransport::discover(bus, line);
  bus.log.clear();
  transport->reset_queue(3);
  EXPECT_EQ(bus.log, (std::vector<std::string>{"w 30=3", "w c0=1", "r c0", "r c0", "r c0"}));
  bus.values[mmio::kQueueReset] = {1};
  EXPECT_THROW(transport->reset_queue(3), virtio::Error) << "a reset that never completes";
}

}  // namespace
}  // namespace vgen::test
