// Serving a half over a shared virtio-mmio window.
#include "mmio_serving.hpp"

#include <cstdio>
#include <exception>

#include <vgen/conform/trace.hpp>
#include <vgen/shm/allocator.hpp>
#include <vgen/shm/sharing.hpp>
#include <vgen/virtio/device_core.hpp>
#include <vgen/virtio/mmio_register_file.hpp>
#include <vgen/virtio/mmio_server.hpp>
#include <vgen/virtio/mmio_shared_bus.hpp>
#include <vgen/virtio/mmio_transport.hpp>

namespace vgen::conform::virtio_checks {

int serve_mmio_device(const VirtioTarget& target, const shm::GuestMemory& ram, virtio::MmioWindow& window) {
  if (!target.make_device) {
    std::fprintf(stderr, "conform: %s has no device half\n", target.name.c_str());
    return 1;
  }
  const auto model = target.make_device();
  virtio::DeviceCore core(ram, *model);
  // --trace: a child forked by the harness records into the harness's log (the recorder's
  // buffers are shared): its register accesses, status, configuration and queues.
  core.set_trace(check_trace());
  virtio::MmioRegisterFile registers(core);
  const std::unique_ptr<virtio::MmioBus> wrapped =
      target.wrap_registers ? target.wrap_registers(core, registers) : nullptr;
  virtio::MmioDeviceServer server(window, wrapped ? *wrapped : static_cast<virtio::MmioBus&>(registers));
  core.set_interrupt_notifier(&server.interrupt_line());
  server.run(std::chrono::milliseconds(20));
  return 0;
}

int run_mmio_driver(const VirtioTarget& target, const shm::GuestMemory& ram, virtio::MmioWindow& window) {
  if (!target.run_driver) {
    std::fprintf(stderr, "conform: %s has no driver half\n", target.name.c_str());
    return 1;
  }
  virtio::MmioSharedBus bus(window, std::chrono::seconds(2));
  const auto transport = virtio::MmioTransport::discover(bus, bus.interrupt_line());
  if (transport == nullptr) return 1;
  const shm::MemoryRegion& region = ram.regions().front();
  shm::Allocator allocator(region.base, region.size);
  return target.run_driver(*transport, ram, allocator) ? 0 : 1;
}

int serve_over_socket(const VirtioTarget& target, const std::string& role, int socket) {
  const shm::GuestMemory ram = shm::receive_memory(socket);
  const shm::GuestMemory window_memory = shm::receive_memory(socket);
  const shm::MemoryRegion& region = window_memory.regions().front();
  virtio::MmioWindow& window = virtio::MmioWindow::attach(region.host, region.size);
  if (role == "device") return serve_mmio_device(target, ram, window);
  if (role == "driver") return run_mmio_driver(target, ram, window);
  std::fprintf(stderr, "conform: unknown role '%s' (device, driver)\n", role.c_str());
  return 2;
}

}  // namespace vgen::conform::virtio_checks
