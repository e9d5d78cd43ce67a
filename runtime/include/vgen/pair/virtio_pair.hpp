// Runs a VirtIO pair over virtio-mmio on shared memory (VirtIO 1.2 §4.2): as two threads of
// one process, the device serving the register window on a handler thread, and as two
// processes that share only guest RAM and the register window (memfds passed over a Unix
// socket). The driver finds the device, initialises it, runs its demo and shuts it down; the
// device reports the accesses it refused and the chains it could not use. With --vhost-user
// SOCKET the device half runs alone, served to a vhost-user front end (vhost_user_connection.hpp).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <vgen/halves/handler_check.hpp>
#include <vgen/halves/virtio_device.hpp>
#include <vgen/halves/virtio_driver.hpp>
#include <vgen/pair/connection.hpp>

namespace vgen::pair {

/// The two halves of a VirtIO pair, as the runner makes and drives them.
struct VirtioHalves {
  /// The device type both halves follow.
  const halves::VirtioSpec* spec = nullptr;
  /// Makes the device half.
  std::function<std::unique_ptr<halves::VirtioDeviceFraming>()> make_device;
  /// Makes the driver half over a transport to the device.
  std::function<std::unique_ptr<halves::VirtioDriverQueues>(virtio::Transport&, const shm::GuestMemory&,
                                                            shm::Allocator&)>
      make_driver;
  /// Runs the driver's demo once the device is started; true when every answer came.
  std::function<bool(halves::VirtioDriverQueues&)> run_demo;
};

/// The connections of a VirtIO pair: the modes "threads" and "processes", and the device half
/// alone over vhost-user, chosen with --vhost-user SOCKET (vhost_user_connection.hpp).
std::vector<Connection> virtio_connections(const VirtioHalves& halves);

/// The halves of `Driver` (constructible from a transport, guest memory and an allocator,
/// with `bool run_demo()`) and `Device` (default constructible), both made from one spec.
template <class Driver, class Device>
VirtioHalves virtio_halves() {
  static_assert(&Driver::kSpec == &Device::kSpec, "both halves follow the same spec");
  static_assert(halves::overrides_handlers<Driver>() && halves::overrides_handlers<Device>());
  return {&Device::kSpec, [] { return std::make_unique<Device>(); },
          [](virtio::Transport& transport, const shm::GuestMemory& memory, shm::Allocator& allocator) {
            return std::make_unique<Driver>(transport, memory, allocator);
          },
          [](halves::VirtioDriverQueues& driver) { return static_cast<Driver&>(driver).run_demo(); }};
}

}  // namespace vgen::pair
