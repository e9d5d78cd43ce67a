// virtio-mmio over the shared-memory bus with the device served on its own thread: the
// loopback sample end to end, configuration reads racing device updates (§2.5.1), and the
// interrupt line signalled only after the device released its lock.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include <vgen/notify/handler_thread.hpp>
#include <vgen/virtio/driver_core.hpp>
#include <vgen/virtio/error.hpp>
#include <vgen/virtio/in_process.hpp>
#include <vgen/virtio/mmio_register_file.hpp>
#include <vgen/virtio/mmio_registers.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_shared_bus.hpp>
#include <vgen/virtio/mmio_transport.hpp>

#include "loopback_device.hpp"
#include "loopback_run.hpp"
#include "recording_transport.hpp"
#include "support.hpp"

namespace vgen::test {
namespace {

// A page of memory holding a formatted MmioWindow.
struct WindowPage {
  WindowPage()
      : storage(static_cast<std::byte*>(std::aligned_alloc(4096, 4096))),
        window(virtio::MmioWindow::format(storage.get(), 4096)) {}
  std::unique_ptr<std::byte, GuestArea::Free> storage;
  virtio::MmioWindow& window;
};

// A device model, its core and register file, served from a window on a handler thread.
struct DeviceSide {
  DeviceSide(const shm::GuestMemory& memory, virtio::DeviceModel& model, virtio::MmioWindow& window)
      : core(memory, model), registers(core), server(window, registers) {
    core.set_interrupt_notifier(&server.interrupt_line());
    thread = std::make_unique<notify::HandlerThread>(server.request_doorbell(), [this] {
      while (server.serve_pending()) {
      }
    });
  }
  ~DeviceSide() { thread->stop(); }

  virtio::DeviceCore core;
  virtio::MmioRegisterFile registers;
  virtio::MmioDeviceServer server;
  std::unique_ptr<notify::HandlerThread> thread;
};

TEST(MmioThreads, LoopbackOverTheSharedWindow) {
  GuestArea area;
  WindowPage page;
  loopback::LoopbackDevice model;
  DeviceSide device(area.memory, model, page.window);
  virtio::MmioSharedBus bus(page.window);
  const auto transport = virtio::MmioTransport::discover(bus, bus.interrupt_line());
  ASSERT_NE(transport, nullptr);
  EXPECT_EQ(transport->device_id(), loopback::kDeviceId);
  EXPECT_EQ(transport->vendor_id(), loopback::kVendorId);
  loopback::LoopbackDriver driver(*transport, area.memory, area.allocator);
  StreamSender sender(512);
  StreamReceiver receiver(512);
  driver.start();
  const RunResult run = run_messages(driver, sender, receiver, 20000, Completion::Interrupts);
  ASSERT_TRUE(run.completed);
  EXPECT_GT(run.interrupts, 20000u / 128);
  EXPECT_EQ(receiver.bad_bytes(), 0u);
  EXPECT_EQ(receiver.bad_buffers(), 0u);
  EXPECT_EQ(receiver.messages(), 20000u);
  EXPECT_EQ(driver.looped_bytes(), sender.bytes());
  const virtio::DetachedBuffers detached = driver.stop();
  EXPECT_EQ(detached.at(loopback::kReceiveQueue).size(), 256u);
  EXPECT_EQ(transport->status(), 0);
  EXPECT_EQ(device.core.rejections().count(), 0u) << device.core.rejections().last();
  EXPECT_EQ(page.window.header.faults, 0u);
  EXPECT_GT(page.window.header.cycles_served, 20000u / 256);
}

TEST(MmioThreads, SixtyFourBitConfigReadsNeverTear) {
  GuestArea area;
  WindowPage page;
  TestModel model;
  DeviceSide device(area.memory, model, page.window);
  virtio::MmioSharedBus bus(page.window);
  const auto transport = virtio::MmioTransport::discover(bus, bus.interrupt_line());
  RecordingTransport recording(*transport);
  virtio::DriverCore driver(recording, area.memory);

  // The device rewrites the field every 300 us or so, so some reads straddle an update.
  std::atomic<bool> stop{false};
  std::thread updater([&] {
    for (std::uint32_t k = 1; !stop.load(std::memory_order_relaxed); ++k) {
      std::byte bytes[8];
      const std::uint64_t value = (std::uint64_t{k} << 32) | k;  // both halves equal
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
      device.core.update_config(0, bytes, false);
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Join() {
      stop = true;
      thread.join();
    }
  } join{stop, updater};
  int torn = 0;
  std::uint64_t last = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t value = driver.read_config<std::uint64_t>(0);
    if ((value >> 32) != (value & 0xffffffff)) ++torn;
    EXPECT_GE(value, last) << "values only grow";
    last = value;
  }
  EXPECT_EQ(torn, 0) << "a read whose generation changed is retried";
  // Two generation reads per attempt: more attempts than reads means retries really happened.
  EXPECT_GT(recording.count("config_generation()") / 2, 2000u);
}

// The interrupt line is signalled once the device's lock is free: another thread can read the
// device while the signal is being delivered.
class ProbingLine final : public notify::Notifier {
 public:
  explicit ProbingLine(virtio::DeviceCore& core) : core_(core) {}
  void signal() override {
    count_signal();
    auto probe = std::async(std::launch::async, [this] { return core_.interrupt_status(); });
    unlocked = probe.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    if (unlocked) seen = probe.get();
  }
  bool wait(std::chrono::nanoseconds) override { return false; }
  bool unlocked = false;
  std::uint32_t seen = 0;

 private:
  virtio::DeviceCore& core_;
};

TEST(MmioThreads, InterruptIsSignalledAfterTheDeviceLockIsReleased) {
  GuestArea area;
  TestModel model;
  virtio::DeviceCore core(area.memory, model);
  ProbingLine line(core);
  virtio::InProcessTransport transport(core);
  core.set_interrupt_notifier(&line);  // in place of the transport's own line
  virtio::DriverCore driver(transport, area.memory);
  driver.initialize(virtio::kFeatureVersion1Mask, [&](virtio::DriverCore& d) { d.setup_queue(0, 8, area.allocator); });
  const virtqueue::Buffer writable[] = {{area.allocator.allocate(8, 8), 8}};
  driver.queue(0).add({}, writable, 1);
  driver.queue(0).kick();
  EXPECT_EQ(line.signals_sent(), 1u);
  EXPECT_TRUE(line.unlocked);
  EXPECT_EQ(line.seen, virtio::kInterruptUsedBuffer);
}

TEST(MmioThreads, SharedBusTimesOutWithoutADevice) {
  WindowPage page;
  virtio::MmioSharedBus bus(page.window, std::chrono::milliseconds(50));
  try {
    bus.read(virtio::mmio::kMagicValue, 4);
    FAIL() << "expected a timeout";
  } catch (const virtio::Error& e) {
    EXPECT_EQ(e.code(), virtio::ErrorCode::Timeout);
    EXPECT_NE(std::string(e.what()).find("is the device process alive"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vgen::test
