#include "vgen/pair/virtio_pair.hpp"

#include <cstdio>
#include <exception>
#include <string>

#include <vgen/notify/handler_thread.hpp>
#include <vgen/pair/vhost_user_connection.hpp>
#include <vgen/shm/region.hpp>
#include <vgen/shm/sharing.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/mmio_register_file.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_shared_bus.hpp>
#include <vgen/virtio/mmio_transport.hpp>
#include <vgen/virtio/mmio_window.hpp>

#include "two_processes.hpp"

namespace vgen::pair {
namespace {

constexpr shm::GuestAddress kRamBase = 0x40000000;
constexpr std::size_t kRamBytes = 8 << 20;
constexpr shm::GuestAddress kWindowBase = 0x0a000000;
constexpr std::size_t kWindowBytes = 4096;

// Guest RAM and the virtio-mmio register window, each a memfd region.
struct VirtioMemory {
  explicit VirtioMemory(const std::string& name) {
    ram.add(kRamBase, std::make_shared<shm::Region>(shm::Region::create(name + "-ram", kRamBytes)));
    window_memory.add(kWindowBase, std::make_shared<shm::Region>(shm::Region::create(name + "-mmio", kWindowBytes)));
  }
  virtio::MmioWindow& format_window() {
    return virtio::MmioWindow::format(window_memory.translate(kWindowBase, kWindowBytes), kWindowBytes);
  }
  shm::GuestMemory ram;
  shm::GuestMemory window_memory;
};

// The device half: its core and register file, serving the window.
struct DeviceSide {
  DeviceSide(const VirtioHalves& halves, const shm::GuestMemory& ram, virtio::MmioWindow& window,
             const RunContext& context)
      : device(halves.make_device()), core(ram, *device), registers(core), server(window, registers) {
    core.set_interrupt_notifier(&server.interrupt_line());
    core.set_trace(context.trace, trace::Ends::Both);  // the driver half records into it too
  }
  // Prints what the device saw; true when the driver broke no rule.
  bool report() {
    std::printf("device: %llu rejected accesses, %llu malformed chains\n",
                static_cast<unsigned long long>(core.rejections().count()),
                static_cast<unsigned long long>(device->malformed()));
    if (core.rejections().count() != 0) std::printf("device: last rejection: %s\n", core.rejections().last().c_str());
    std::fflush(stdout);
    return core.rejections().count() == 0 && device->malformed() == 0;
  }
  std::unique_ptr<halves::VirtioDeviceFraming> device;
  virtio::DeviceCore core;
  virtio::MmioRegisterFile registers;
  virtio::MmioDeviceServer server;
};

// The driver half's run: find the device, initialise it, run the demo, shut down.
bool run_driver(const VirtioHalves& halves, const shm::GuestMemory& ram, virtio::MmioWindow& window,
                const RunContext& context) {
  virtio::MmioSharedBus bus(window);
  const auto transport = virtio::MmioTransport::discover(bus, bus.interrupt_line());
  if (transport == nullptr || transport->device_id() != halves.spec->device_id) {
    std::printf("driver: no %s device in the window\n", std::string(halves.spec->name).c_str());
    return false;
  }
  shm::Allocator allocator(kRamBase, kRamBytes);
  const std::unique_ptr<halves::VirtioDriverQueues> driver = halves.make_driver(*transport, ram, allocator);
  driver->core().set_trace(context.trace, trace::Ends::Both);
  const std::uint64_t features = driver->start();
  std::printf("driver: device %u found, features 0x%llx negotiated\n", transport->device_id(),
              static_cast<unsigned long long>(features));
  std::fflush(stdout);
  const bool complete = halves.run_demo(*driver);
  driver->stop();
  return complete;
}

bool run_threads(const VirtioHalves& halves, const RunContext& context) {
  VirtioMemory memory{std::string(halves.spec->name)};
  virtio::MmioWindow& window = memory.format_window();
  DeviceSide device(halves, memory.ram, window, context);
  notify::HandlerThread thread(device.server.request_doorbell(), [&device] {
    while (device.server.serve_pending()) {
    }
  });
  bool complete = false;
  try {
    complete = run_driver(halves, memory.ram, window, context);
  } catch (const std::exception& error) {
    std::printf("driver: %s\n", error.what());
  }
  thread.stop();
  return device.report() && complete;
}

// The device process: maps the memory it was sent and serves the window until told to stop.
bool device_process(const VirtioHalves& halves, int socket, const RunContext& context) {
  const shm::GuestMemory ram = shm::receive_memory(socket);
  const shm::GuestMemory window_memory = shm::receive_memory(socket);
  const shm::MemoryRegion& region = window_memory.regions().front();
  virtio::MmioWindow& window = virtio::MmioWindow::attach(region.host, region.size);
  DeviceSide device(halves, ram, window, context);
  device.server.run();
  return device.report();
}

bool run_processes(const VirtioHalves& halves, const RunContext& context) {
  VirtioMemory memory{std::string(halves.spec->name)};
  virtio::MmioWindow& window = memory.format_window();
  const ProcessHalf driver{"driver", [&](int socket) {
                             shm::send_memory(socket, memory.ram);
                             shm::send_memory(socket, memory.window_memory);
                             return run_driver(halves, memory.ram, window, context);
                           }};
  const ProcessHalf device{"device", [&](int socket) { return device_process(halves, socket, context); }};
  return run_two_processes(driver, device, [&window] { virtio::MmioDeviceServer::request_stop(window); });
}

}  // namespace

std::vector<Connection> virtio_connections(const VirtioHalves& halves) {
  return {
      {"threads", "as two threads", "The device serves the register window on a thread of this process", "",
       [halves](const RunContext& context, const std::string&) { return run_threads(halves, context); }},
      {"processes", "as two processes", "The device runs in a child process sharing guest RAM and the window", "",
       [halves](const RunContext& context, const std::string&) { return run_processes(halves, context); }},
      vhost_user_connection(halves),
  };
}

}  // namespace vgen::pair
