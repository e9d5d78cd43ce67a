// A driver process and a device process that share only guest memory and a virtio-mmio window
// (both memfds, passed over a Unix socket): every register access is a bus cycle through the
// window, every notification a doorbell in it. The loopback device runs initialisation, 50,000
// messages, a device reset, re-initialisation, 50,000 more messages and a clean shutdown; every
// byte is checked.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include <vgen/shm/sharing.hpp>
#include <vgen/virtio/mmio_register_file.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_shared_bus.hpp>
#include <vgen/virtio/mmio_transport.hpp>

#include "loopback_device.hpp"
#include "loopback_run.hpp"

namespace vgen::test {
namespace {

constexpr shm::GuestAddress kRamBase = 0x40000000;
constexpr std::size_t kRamBytes = 1 << 20;
constexpr shm::GuestAddress kWindowBase = 0x0a000000;  // where a platform would put the registers
constexpr std::size_t kWindowBytes = 4096;

// Exit codes of the device process.
constexpr int kDeviceClean = 0;
constexpr int kDeviceRejected = 4;
constexpr int kDeviceError = 3;

// The device process: maps what it received, serves the window until told to stop.
int device_main(int socket) {
  const shm::GuestMemory ram = shm::receive_memory(socket);
  const shm::GuestMemory window_memory = shm::receive_memory(socket);
  if (window_memory.regions().size() != 1) return kDeviceError;
  const shm::MemoryRegion& region = window_memory.regions().front();
  virtio::MmioWindow& window = virtio::MmioWindow::attach(region.host, region.size);
  loopback::LoopbackDevice model;
  virtio::DeviceCore core(ram, model);
  virtio::MmioRegisterFile registers(core);
  virtio::MmioDeviceServer server(window, registers);
  core.set_interrupt_notifier(&server.interrupt_line());
  server.run();
  if (core.rejections().count() != 0) {
    std::fprintf(stderr, "device: %llu rejected accesses, last: %s\n",
                 static_cast<unsigned long long>(core.rejections().count()), core.rejections().last().c_str());
    return kDeviceRejected;
  }
  return kDeviceClean;
}

[[noreturn]] void run_device(int socket) {
  int status = kDeviceError;
  try {
    status = device_main(socket);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "device: %s\n", e.what());
  }
  _exit(status);
}

// Kills and reaps the device process if the test leaves early.
struct Child {
  pid_t pid = -1;
  int wait_for_exit() {
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~Child() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
};

TEST(MmioTwoProcess, LoopbackInitMessagesResetReinitShutdown) {
  shm::GuestMemory ram;
  ram.add(kRamBase, std::make_shared<shm::Region>(shm::Region::create("vgen-virtio-ram", kRamBytes)));
  shm::GuestMemory window_memory;
  window_memory.add(kWindowBase, std::make_shared<shm::Region>(shm::Region::create("vgen-virtio-mmio", kWindowBytes)));
  virtio::MmioWindow& window = virtio::MmioWindow::format(window_memory.translate(kWindowBase, kWindowBytes), kWindowBytes);

  int sockets[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets), 0);
  std::fflush(nullptr);
  Child child;
  child.pid = fork();
  ASSERT_GE(child.pid, 0);
  if (child.pid == 0) {
    close(sockets[0]);
    run_device(sockets[1]);
  }
  close(sockets[1]);
  shm::send_memory(sockets[0], ram);
  shm::send_memory(sockets[0], window_memory);
  close(sockets[0]);

  // The driver process from here on: only register accesses, the rings and the doorbells.
  virtio::MmioSharedBus bus(window);
  const auto transport = virtio::MmioTransport::discover(bus, bus.interrupt_line());
  ASSERT_NE(transport, nullptr);
  ASSERT_EQ(transport->device_id(), loopback::kDeviceId);
  shm::Allocator allocator(kRamBase, kRamBytes);
  loopback::LoopbackDriver driver(*transport, ram, allocator);
  StreamSender sender(512);
  StreamReceiver receiver(512);

  // Session 1, taking an interrupt for every batch.
  EXPECT_EQ(driver.start(), loopback::kOfferedFeatures);
  const RunResult first = run_messages(driver, sender, receiver, 50000, Completion::Interrupts);
  ASSERT_TRUE(first.completed);
  EXPECT_GT(first.interrupts, 50000u / 128);
  EXPECT_EQ(driver.looped_bytes(), sender.bytes());
  const std::uint64_t first_bytes = sender.bytes();

  // Device reset (§2.4): every buffer comes back, and the device forgets its counter.
  const virtio::DetachedBuffers detached = driver.stop();
  EXPECT_EQ(detached.at(loopback::kReceiveQueue).size(), 256u);
  EXPECT_TRUE(detached.at(loopback::kTransmitQueue).empty());
  EXPECT_EQ(transport->status(), 0);

  // Session 2, after re-initialisation, polling the used rings.
  driver.start();
  EXPECT_EQ(driver.looped_bytes(), 0u);
  ASSERT_TRUE(run_messages(driver, sender, receiver, 50000, Completion::Polling).completed);
  EXPECT_EQ(driver.looped_bytes(), sender.bytes() - first_bytes);

  // Clean shutdown.
  driver.stop();
  virtio::MmioDeviceServer::request_stop(window);
  EXPECT_EQ(child.wait_for_exit(), kDeviceClean);

  EXPECT_EQ(sender.messages(), 100000u);
  EXPECT_EQ(receiver.messages(), 100000u);
  EXPECT_EQ(receiver.bytes(), sender.bytes()) << "no byte lost";
  EXPECT_EQ(receiver.bad_bytes(), 0u);
  EXPECT_EQ(receiver.bad_buffers(), 0u);
  EXPECT_EQ(window.header.faults, 0u);
  std::printf("two-process loopback: %llu messages, %llu bytes, %llu bus cycles, %llu interrupts\n",
              static_cast<unsigned long long>(receiver.messages()), static_cast<unsigned long long>(receiver.bytes()),
              static_cast<unsigned long long>(bus.cycles()), static_cast<unsigned long long>(first.interrupts));
}

}  // namespace
}  // namespace vgen::test
